import { and, asc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, type AgencyRow } from '../../db/schema/index.js';
import { NotFoundError } from '../../domain/errors.js';
import { idAfter, paginate } from '../common/cursor.js';
import type { Agency } from './schemas.js';

export async function listAgencies(db: Database, query: { limit: number; cursor?: string | undefined; kind?: string | undefined; parent?: string | undefined }) {
  const conditions: (SQL | undefined)[] = [];
  if (query.kind) conditions.push(eq(agencies.kind, query.kind));
  if (query.parent) conditions.push(eq(agencies.parentId, query.parent));
  const after = idAfter(query.cursor);
  if (after !== undefined) conditions.push(gt(agencies.id, after));
  const rows = await db
    .select()
    .from(agencies)
    .where(and(...conditions))
    .orderBy(asc(agencies.id))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.id]);
  return { items: await withMemberships(db, page), nextCursor };
}

export async function getAgency(db: Database, id: string): Promise<Agency> {
  const rows = await db.select().from(agencies).where(eq(agencies.id, id));
  const [agency] = await withMemberships(db, rows);
  if (!agency) throw new NotFoundError('agency', id);
  return agency;
}

async function withMemberships(db: Database, rows: AgencyRow[]): Promise<Agency[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const links = await db
    .select()
    .from(agencyMembers)
    .where(or(inArray(agencyMembers.groupId, ids), inArray(agencyMembers.memberId, ids)))
    .orderBy(asc(agencyMembers.groupId), asc(agencyMembers.memberId));
  return rows.map((row) => ({
    ...row,
    memberIds: links.filter((l) => l.groupId === row.id).map((l) => l.memberId),
    groupIds: links.filter((l) => l.memberId === row.id).map((l) => l.groupId),
  }));
}
