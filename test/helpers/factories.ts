import { inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { tasks, type TaskRow } from '../../src/db/schema/index.js';

/**
 * Puts seeded tasks into the state a test needs. The write API is not the subject of these
 * tests, so rows are set directly; each test file has its own database, so nothing leaks.
 */
export async function setTaskState(db: Database, ids: string | string[], state: Partial<Pick<TaskRow, 'status' | 'progress' | 'dueDate' | 'lastReportAt' | 'updatedAt' | 'version'>>) {
  const list = Array.isArray(ids) ? ids : [ids];
  await db.update(tasks).set(state).where(inArray(tasks.id, list));
}
