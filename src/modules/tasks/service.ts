import { and, arrayContains, asc, eq, exists, gt, gte, ilike, inArray, isNotNull, isNull, lte, not, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, taskAssignments, taskIndicators, taskLinks, tasks, type TaskRow } from '../../db/schema/index.js';
import { indicatorMet } from '../../domain/indicators.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { deriveState, type DerivationPolicy } from '../../domain/task-state.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { overdueAt, staleAt } from '../common/task-conditions.js';
import type { Task, TaskQuery } from './schemas.js';

export interface ReadContext {
  now: Date;
  policy: DerivationPolicy;
}

const taskCursor = z.tuple([cursorParts.text, cursorParts.int]);
const changeCursor = z.tuple([cursorParts.position]);

export async function listTasks(db: Database, query: TaskQuery, ctx: ReadContext) {
  if (query.changedAfter !== undefined) return listChangedTasks(db, query, ctx);
  const rows = await db
    .select()
    .from(tasks)
    .where(and(...taskFilters(db, query, ctx)))
    .orderBy(asc(tasks.listId), asc(tasks.position))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.listId, row.position]);
  return { items: await hydrate(db, page, ctx), nextCursor };
}

/**
 * The sync feed: tasks whose latest ledger event is after a position, in position order. Positions
 * are gap-free and in commit order, so a position a reader has seen is never followed by a commit
 * below it; a task that changes again moves to the end with its new version, never repeated.
 */
async function listChangedTasks(db: Database, query: TaskQuery, ctx: ReadContext) {
  const leavable = (['status', 'overdue', 'stale', 'updatedSince'] as const).filter((name) => query[name] !== undefined);
  if (leavable.length > 0) {
    throw new InvalidInputError(
      'changedAfter reports every change; a filter a change can move a task out of would hide that change.',
      leavable.map((name) => ({ location: 'querystring' as const, path: name, message: 'not with changedAfter' })),
    );
  }
  const after = query.cursor ? decodeCursor(query.cursor, changeCursor)[0] : query.changedAfter!;
  const rows = await db
    .select()
    .from(tasks)
    .where(and(...taskFilters(db, { ...query, cursor: undefined }, ctx), gt(tasks.lastEventId, Math.max(after, query.changedAfter!))))
    .orderBy(asc(tasks.lastEventId))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.lastEventId]);
  return { items: await hydrate(db, page, ctx), nextCursor };
}

export async function getTask(db: Database, id: string, ctx: ReadContext): Promise<Task> {
  const rows = await db.select().from(tasks).where(eq(tasks.id, id));
  const [task] = await hydrate(db, rows, ctx);
  if (!task) throw new NotFoundError('task', id);
  return task;
}

export async function assertTaskExists(db: Database, id: string): Promise<void> {
  const [task] = await db.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, id));
  if (!task) throw new NotFoundError('task', id);
}

function taskFilters(db: Database, query: TaskQuery, ctx: ReadContext): (SQL | undefined)[] {
  if (query.role && !query.agency) {
    throw new InvalidInputError('role filters the assignments of one agency: give agency as well.', [
      { location: 'querystring', path: 'role', message: 'requires agency' },
    ]);
  }
  if (query.subtree !== undefined && !query.parent) {
    throw new InvalidInputError('subtree widens the parent filter: give parent as well.', [{ location: 'querystring', path: 'subtree', message: 'requires parent' }]);
  }
  const filters: (SQL | undefined)[] = [];
  if (query.list) filters.push(eq(tasks.listId, query.list));
  if (query.parent) filters.push(query.subtree ? arrayContains(tasks.ancestorIds, [query.parent]) : eq(tasks.parentId, query.parent));
  if (query.topLevel !== undefined) filters.push(query.topLevel ? isNull(tasks.parentId) : isNotNull(tasks.parentId));
  if (query.activeOn) filters.push(activeOn(query.activeOn));
  if (query.status) filters.push(eq(tasks.status, query.status));
  if (query.article) filters.push(eq(tasks.articleId, query.article));
  if (query.agency) filters.push(assignedTo(db, query.agency, query.role));
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, '\\$&')}%`;
    filters.push(or(ilike(tasks.text, pattern), ilike(tasks.responsibleText, pattern)));
  }
  if (query.updatedSince) filters.push(gte(tasks.updatedAt, new Date(query.updatedSince)));
  const flagColumns = { status: tasks.status, dueDate: tasks.dueDate, lastSign: sql`coalesce(${tasks.lastReportAt}, ${tasks.createdAt})` };
  if (query.overdue !== undefined) {
    const overdue = overdueAt(flagColumns, ctx.now);
    filters.push(query.overdue ? overdue : not(overdue));
  }
  if (query.stale !== undefined) {
    const stale = staleAt(flagColumns, ctx.now, ctx.policy.staleAfterDays);
    filters.push(query.stale ? stale : not(stale));
  }
  if (query.cursor) {
    const [listId, position] = decodeCursor(query.cursor, taskCursor);
    filters.push(or(gt(tasks.listId, listId), and(eq(tasks.listId, listId), gt(tasks.position, position))));
  }
  return filters;
}

/** The window in force includes the date; a task with no window (own or inherited) is active on no date. */
export function activeOn(date: string): SQL {
  return and(isNotNull(tasks.windowFrom), or(isNull(tasks.windowStart), lte(tasks.windowStart, date)), or(isNull(tasks.windowEnd), gte(tasks.windowEnd, date)))!;
}

/** Assigned to the agency itself, or to a group it is a member of (a district acts for 各区人民政府). */
export function assignedTo(db: Database, agencyId: string, role: TaskQuery['role']): SQL {
  const groupsOfAgency = db.select({ id: agencyMembers.groupId }).from(agencyMembers).where(eq(agencyMembers.memberId, agencyId));
  return exists(
    db
      .select({ one: sql`1` })
      .from(taskAssignments)
      .where(
        and(
          eq(taskAssignments.taskId, tasks.id),
          or(eq(taskAssignments.agencyId, agencyId), inArray(taskAssignments.agencyId, groupsOfAgency)),
          role ? eq(taskAssignments.role, role) : undefined,
        ),
      ),
  );
}

export async function hydrate(db: Database, rows: TaskRow[], ctx: ReadContext): Promise<Task[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [assignmentRows, linkRows, indicatorRows] = await Promise.all([
    db
      .select({
        taskId: taskAssignments.taskId,
        agencyId: taskAssignments.agencyId,
        agencyName: agencies.name,
        role: taskAssignments.role,
        position: taskAssignments.position,
        progress: taskAssignments.shareProgress,
      })
      .from(taskAssignments)
      .innerJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
      .where(inArray(taskAssignments.taskId, ids))
      .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position)),
    db.select().from(taskLinks).where(inArray(taskLinks.taskId, ids)).orderBy(asc(taskLinks.relatedTaskId)),
    db.select().from(taskIndicators).where(inArray(taskIndicators.taskId, ids)).orderBy(asc(taskIndicators.taskId), asc(taskIndicators.position)),
  ]);
  return rows.map((row) => ({
    id: row.id,
    listId: row.listId,
    parentId: row.parentId,
    number: row.number,
    label: row.label,
    position: row.position,
    title: row.title,
    text: row.text,
    articleId: row.articleId,
    responsibleText: row.responsibleText,
    assignments: assignmentRows.filter((a) => a.taskId === row.id).map(({ taskId: _taskId, ...assignment }) => assignment),
    status: row.status,
    progress: row.progress,
    dueDate: row.dueDate,
    window: row.windowFrom === null ? null : { start: row.windowStart, end: row.windowEnd, inheritedFrom: row.windowFrom === row.id ? null : row.windowFrom },
    weight: row.weight,
    childCount: row.childCount,
    indicators: indicatorRows
      .filter((indicator) => indicator.taskId === row.id)
      .map(({ taskId: _taskId, position: _position, latestValue, latestAt, latestEventId, ...indicator }) => ({
        ...indicator,
        latest: latestValue === null || latestAt === null || latestEventId === null ? null : { value: latestValue, at: latestAt.toISOString(), eventId: latestEventId },
        met: indicatorMet(indicator, latestValue),
      })),
    ...deriveState(row, ctx.now, ctx.policy),
    version: row.version,
    lastEventId: row.lastEventId,
    relatedTaskIds: linkRows.filter((l) => l.taskId === row.id).map((l) => l.relatedTaskId),
    lastReportAt: row.lastReportAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
}
