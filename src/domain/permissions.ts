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

/**
 * The assignment an agency acts under on a task: the lead's if it leads (itself or through a
 * group); else its own co assignment; else the first co assignment of a group it belongs to. So a
 * district reports for 各区人民政府, and its report's progress is that group's share, which all
 * its member districts report on together.
 */
export function actingAssignment<A extends { agencyId: string; role: AssignmentRole }>(
  agencyId: string | null,
  assignments: readonly A[],
  groupIdsOfAgency: readonly string[],
): A | null {
  if (agencyId === null) return null;
  const acting = new Set([agencyId, ...groupIdsOfAgency]);
  const mine = assignments.filter((a) => acting.has(a.agencyId));
  return mine.find((a) => a.role === 'lead') ?? mine.find((a) => a.agencyId === agencyId) ?? mine[0] ?? null;
}

export function relationToTask(
  agencyId: string | null,
  assignments: readonly { agencyId: string; role: AssignmentRole }[],
  groupIdsOfAgency: readonly string[],
): Relation {
  return actingAssignment(agencyId, assignments, groupIdsOfAgency)?.role ?? 'none';
}
