import type { Database } from '../../db/client.js';
import type { Principal } from '../../domain/permissions.js';
import { relationOf } from './writes.js';

/**
 * Who may read a task's history: the supervising office and auditors every task's, an agency its
 * own tasks' (directly or through a group), nobody else. The API's events route and the board both ask here.
 */
export async function mayReadHistory(db: Database, principal: Principal, taskId: string): Promise<boolean> {
  if (principal.role === 'supervisor' || principal.role === 'auditor') return true;
  if (principal.role === 'agency') return (await relationOf(db, principal, taskId)) !== 'none';
  return false;
}
