import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { entryOf } from '../../db/ledger.js';
import { type TaskEventRow, taskEvents } from '../../db/schema/index.js';
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
