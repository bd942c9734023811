import { and, asc, eq, gt, gte, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { entryOf } from '../../db/ledger.js';
import { type TaskEventRow, taskEvents, tasks } from '../../db/schema/index.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import type { Event } from './events-schemas.js';

export function toEvent(row: TaskEventRow): Event {
  const { id, seq, prevHash, hashVersion, ...entry } = entryOf(row);
  return { id, seq, ...entry, type: row.type as Event['type'], prevHash, hashVersion, hash: row.hash };
}

const seqCursor = z.tuple([cursorParts.int]);

/** A task's events in chain order. */
export async function listTaskEvents(db: Database, taskId: string, page: { limit: number; cursor?: string | undefined }) {
  const after = page.cursor ? decodeCursor(page.cursor, seqCursor)[0] : 0;
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, after)))
    .orderBy(asc(taskEvents.seq))
    .limit(page.limit + 1);
  const { rows: events, nextCursor } = paginate(rows, page.limit, (row) => [row.seq]);
  return { items: events.map(toEvent), nextCursor };
}

/** The events of a list's tasks recorded in [from, to), in ledger order: what moved in a period. */
export async function listEventsBetween(db: Database, listId: string, from: Date, to: Date) {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(inArray(taskEvents.taskId, db.select({ id: tasks.id }).from(tasks).where(eq(tasks.listId, listId))), gte(taskEvents.at, from), lt(taskEvents.at, to)))
    .orderBy(asc(taskEvents.id));
  return rows.map(toEvent);
}
