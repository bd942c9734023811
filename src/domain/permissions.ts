import type { AssignmentRole, KeyRole } from '../db/schema/index.js';

/** Who is asking: a key with its role (and agency, for agency keys), or nobody under PUBLIC_READ. */
export interface Principal {
  keyId: string | null;
  role: KeyRole | 'public';
  agencyId: string | null;
}

export const ANONYMOUS: Principal = { keyId: null, role: 'public', agencyId: null };

/** How an agency stands to a task: lead or co directly, or through a group it is a member of. */
export type Relation = AssignmentRole | 'none';

export function relationToTask(
  agencyId: string | null,
  assignments: readonly { agencyId: string; role: AssignmentRole }[],
  groupIdsOfAgency: readonly string[],
): Relation {
  if (agencyId === null) return 'none';
  const acting = new Set([agencyId, ...groupIdsOfAgency]);
  const mine = assignments.filter((a) => acting.has(a.agencyId));
  if (mine.some((a) => a.role === 'lead')) return 'lead';
  return mine.length > 0 ? 'co' : 'none';
}
