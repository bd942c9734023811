import { and, asc, count, eq, getTableColumns, gt, isNotNull, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Transaction } from '../../db/client.js';
import { type TaskListRow, taskLists, tasks } from '../../db/schema/index.js';
import { reportingOf } from '../../domain/reporting.js';
import { NotFoundError } from '../../domain/errors.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import type { CadencedList } from '../../domain/staleness.js';
import type { QuietRules } from '../common/task-conditions.js';
import type { TaskList } from './schemas.js';

const listCursor = z.tuple([cursorParts.text, cursorParts.int]);

function selectLists(db: Database) {
  const { id, documentId, title, annex, ownerId, lateExtensionRequests, reportCadence, reportDueDay, position } = getTableColumns(taskLists);
  return db
    .select({ id, documentId, title, annex, ownerId, lateExtensionRequests, reportCadence, reportDueDay, position, taskCount: count(tasks.id) })
    .from(taskLists)
    .leftJoin(tasks, eq(tasks.listId, taskLists.id))
    .groupBy(taskLists.id);
}

export async function listTaskLists(db: Database, query: { limit: number; cursor?: string | undefined; document?: string | undefined }) {
  const conditions: (SQL | undefined)[] = [];
  if (query.document) conditions.push(eq(taskLists.documentId, query.document));
  if (query.cursor) {
    const [documentId, position] = decodeCursor(query.cursor, listCursor);
    conditions.push(or(gt(taskLists.documentId, documentId), and(eq(taskLists.documentId, documentId), gt(taskLists.position, position))));
  }
  const rows = await selectLists(db)
    .where(and(...conditions))
    .orderBy(asc(taskLists.documentId), asc(taskLists.position))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.documentId, row.position]);
  return { items: page.map(toTaskList), nextCursor };
}

export async function getTaskList(db: Database, id: string): Promise<TaskList> {
  const [row] = await selectLists(db).where(eq(taskLists.id, id));
  if (!row) throw new NotFoundError('task list', id);
  return toTaskList(row);
}

function toTaskList({ position: _position, reportCadence, reportDueDay, taskCount, ...list }: Omit<TaskList, 'reporting'> & Pick<TaskListRow, 'position' | 'reportCadence' | 'reportDueDay'>): TaskList {
  return { ...list, reporting: reportingOf({ reportCadence, reportDueDay }), taskCount };
}

/** The lists with a reporting cadence: the stale rule and report.missing follow their periods. */
export async function cadencedLists(db: Database | Transaction): Promise<CadencedList[]> {
  const rows = await db
    .select({ listId: taskLists.id, reportCadence: taskLists.reportCadence, reportDueDay: taskLists.reportDueDay })
    .from(taskLists)
    .where(isNotNull(taskLists.reportCadence));
  // The cadence's two columns are set together (a check constraint), so every row has one.
  return rows.map((row) => ({ listId: row.listId, reporting: reportingOf(row)! }));
}

/** How the tasks of each list go quiet, for SQL that applies the stale rule (common/task-conditions.ts). */
export async function quietRules(db: Database, staleAfterDays: number): Promise<QuietRules> {
  return { staleAfterDays, cadenced: await cadencedLists(db) };
}
