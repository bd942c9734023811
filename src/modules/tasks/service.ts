import { and, arrayContains, asc, eq, exists, getTableColumns, gt, gte, ilike, inArray, isNotNull, isNull, lte, not, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, assignmentReceipts, extensionRequests, taskAssignments, taskIndicators, taskLinks, tasks, type TaskRow } from '../../db/schema/index.js';
import { indicatorMet } from '../../domain/indicators.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import type { Reporting } from '../../domain/reporting.js';
import { isQuietUnder } from '../../domain/staleness.js';
import { type DerivationPolicy, flagsOf } from '../../domain/task-state.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { overdueAt, type QuietRules, staleAt } from '../common/task-conditions.js';
import { quietRules } from '../task-lists/service.js';
import type { Task, TaskQuery } from './schemas.js';

export interface ReadContext {
  now: Date;
  policy: DerivationPolicy;
}

const taskCursor = z.tuple([cursorParts.text, cursorParts.int]);
const changeCursor = z.tuple([cursorParts.position]);

export async function listTasks(db: Database, query: TaskQuery, ctx: ReadContext) {
  if (query.changedAfter !== undefined) return listChangedTasks(db, query, ctx);
  const rules = query.stale === undefined ? null : await quietRules(db, ctx.policy.staleAfterDays);
  const rows = await db
    .select(taskReadColumns)
    .from(tasks)
    .where(and(...taskFilters(db, query, ctx, rules)))
    .orderBy(asc(tasks.listId), asc(tasks.position))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.listId, row.position]);
  return { items: page.map((row) => toTask(row, ctx)), nextCursor };
}

/**
 * The sync feed: tasks whose latest ledger event is after a position, in position order. Positions
 * are gap-free and in commit order, so a position a reader has seen is never followed by a commit
 * below it; a task that changes again moves to the end with its new version, never repeated.
 */
async function listChangedTasks(db: Database, query: TaskQuery, ctx: ReadContext) {
  const leavable = (['status', 'overdue', 'stale', 'updatedSince', 'extensionPending', 'extended'] as const).filter((name) => query[name] !== undefined);
  if (leavable.length > 0) {
    throw new InvalidInputError(
      'changedAfter reports every change; a filter a change can move a task out of would hide that change.',
      leavable.map((name) => ({ location: 'querystring' as const, path: name, message: 'not with changedAfter' })),
    );
  }
  const after = query.cursor ? decodeCursor(query.cursor, changeCursor)[0] : query.changedAfter!;
  const rows = await db
    .select(taskReadColumns)
    .from(tasks)
    .where(and(...taskFilters(db, { ...query, cursor: undefined }, ctx, null), gt(tasks.lastEventId, Math.max(after, query.changedAfter!))))
    .orderBy(asc(tasks.lastEventId))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.lastEventId]);
  return { items: page.map((row) => toTask(row, ctx)), nextCursor };
}

// Built once per database (or connection) rather than per read: building the SQL costs more than running it.
const preparedTaskReads = new WeakMap<Database, ReturnType<typeof prepareTaskRead>>();

function prepareTaskRead(db: Database) {
  return db.select(taskReadColumns).from(tasks).where(eq(tasks.id, sql.placeholder('id'))).prepare('duban_task_by_id');
}

export async function getTask(db: Database, id: string, ctx: ReadContext): Promise<Task> {
  let read = preparedTaskReads.get(db);
  if (!read) preparedTaskReads.set(db, (read = prepareTaskRead(db)));
  const [row] = await read.execute({ id });
  if (!row) throw new NotFoundError('task', id);
  return toTask(row, ctx);
}

export async function assertTaskExists(db: Database, id: string): Promise<void> {
  const [task] = await db.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, id));
  if (!task) throw new NotFoundError('task', id);
}

/** The query's filters; rules, the stale rule's, only with the stale filter. */
function taskFilters(db: Database, query: TaskQuery, ctx: ReadContext, rules: QuietRules | null): (SQL | undefined)[] {
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
  if (query.extensionPending !== undefined) {
    const pending = exists(
      db
        .select({ one: sql`1` })
        .from(extensionRequests)
        .where(and(eq(extensionRequests.taskId, tasks.id), eq(extensionRequests.status, 'pending'))),
    );
    filters.push(query.extensionPending ? pending : not(pending));
  }
  if (query.extended !== undefined) filters.push(query.extended ? isNotNull(tasks.originalDueDate) : isNull(tasks.originalDueDate));
  if (query.overdue !== undefined) {
    const overdue = overdueAt(tasks, ctx.now);
    filters.push(query.overdue ? overdue : not(overdue));
  }
  if (query.stale !== undefined && rules) {
    const stale = staleAt(tasks, ctx.now, rules);
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

/**
 * Assigned to the agency itself, or to a group it is a member of (a district acts for 各区人民政府).
 * A probe per task in list order, which a page of a busy agency's tasks stops early; collecting the
 * agency's tasks first was measured slower there (all of them fetched and sorted for one page).
 */
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

interface IndicatorFields {
  key: string;
  name: string;
  unit: string | null;
  direction: 'at_least' | 'at_most' | 'between';
  target: number | null;
  min: number | null;
  max: number | null;
  baseline: number | null;
  due: string | null;
  latestValue: number | null;
  /** A Date from a column; an RFC 3339 string from JSON. */
  latestAt: Date | string | null;
  latestEventId: number | null;
}

/** A task row with what a read shows of its assignments, links, indicators and pending extension request, and its list's reporting cadence (which the stale rule follows). */
export type TaskReadRow = TaskRow & {
  assignments: Task['assignments'];
  relatedTaskIds: string[];
  indicators: IndicatorFields[];
  pendingExtension: Task['pendingExtension'];
  reporting: Reporting | null;
};

/** The pending extension request as a read shows it; requestedAt comes back from JSON as PostgreSQL writes timestamps, so it is normalised. */
function pendingExtensionOf(pending: Task['pendingExtension']): Task['pendingExtension'] {
  return pending === null ? null : { ...pending, requestedAt: new Date(pending.requestedAt).toISOString() };
}

/**
 * The columns of a task read: the row and, aggregated in the same query, its assignments, links
 * and indicators, so that a read is one round trip to the database.
 */
export const taskReadColumns = {
  ...getTableColumns(tasks),
  // Spelled out: drizzle leaves column names unqualified in a one-table select, which would bind them inside the subqueries.
  assignments: sql<Task['assignments']>`coalesce((
    select json_agg(json_build_object('agencyId', a.agency_id, 'agencyName', ag.name, 'role', a.role, 'position', a.position, 'progress', a.share_progress,
      'acknowledgedAt', r.acknowledged_at) order by a.position)
    from task_assignments a join agencies ag on ag.id = a.agency_id
    left join assignment_receipts r on r.task_id = a.task_id and r.agency_id = a.agency_id
    where a.task_id = tasks.id), '[]'::json)`,
  relatedTaskIds: sql<string[]>`coalesce((select json_agg(l.related_task_id order by l.related_task_id) from task_links l where l.task_id = tasks.id), '[]'::json)`,
  indicators: sql<IndicatorFields[]>`coalesce((
    select json_agg(json_build_object('key', i.key, 'name', i.name, 'unit', i.unit, 'direction', i.direction, 'target', i.target, 'min', i.min, 'max', i.max,
      'baseline', i.baseline, 'due', i.due, 'latestValue', i.latest_value, 'latestAt', i.latest_at, 'latestEventId', i.latest_event_id) order by i.position)
    from task_indicators i where i.task_id = tasks.id), '[]'::json)`,
  pendingExtension: sql<Task['pendingExtension']>`(
    select json_build_object('requestId', e.id, 'requestedDueDate', e.requested_due_date, 'requestedAt', e.requested_at, 'late', e.late)
    from extension_requests e where e.task_id = tasks.id and e.status = 'pending')`,
  reporting: sql<Reporting | null>`(
    select json_build_object('cadence', l.report_cadence, 'dueDay', l.report_due_day) from task_lists l where l.id = tasks.list_id and l.report_cadence is not null)`,
};

/** Task rows selected with plain columns, completed with their assignments, links and indicators (the exports, which page on their own). */
export async function hydrate(db: Database, rows: TaskRow[], ctx: ReadContext): Promise<Task[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [assignmentRows, linkRows, indicatorRows, pendingRows, rules] = await Promise.all([
    db
      .select({
        taskId: taskAssignments.taskId,
        agencyId: taskAssignments.agencyId,
        agencyName: agencies.name,
        role: taskAssignments.role,
        position: taskAssignments.position,
        progress: taskAssignments.shareProgress,
        acknowledgedAt: assignmentReceipts.acknowledgedAt,
      })
      .from(taskAssignments)
      .innerJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
      .leftJoin(assignmentReceipts, and(eq(assignmentReceipts.taskId, taskAssignments.taskId), eq(assignmentReceipts.agencyId, taskAssignments.agencyId)))
      .where(inArray(taskAssignments.taskId, ids))
      .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position)),
    db.select().from(taskLinks).where(inArray(taskLinks.taskId, ids)).orderBy(asc(taskLinks.relatedTaskId)),
    db.select().from(taskIndicators).where(inArray(taskIndicators.taskId, ids)).orderBy(asc(taskIndicators.taskId), asc(taskIndicators.position)),
    db
      .select({
        taskId: extensionRequests.taskId,
        requestId: extensionRequests.id,
        requestedDueDate: extensionRequests.requestedDueDate,
        requestedAt: extensionRequests.requestedAt,
        late: extensionRequests.late,
      })
      .from(extensionRequests)
      .where(and(inArray(extensionRequests.taskId, ids), eq(extensionRequests.status, 'pending'))),
    quietRules(db, ctx.policy.staleAfterDays),
  ]);
  const reportingOf = new Map(rules.cadenced.map(({ listId, reporting }) => [listId, reporting]));
  const pendingOf = new Map(pendingRows.map(({ taskId, requestedAt, ...pending }) => [taskId, { ...pending, requestedAt: requestedAt.toISOString() }]));
  const assignmentsOf = groupByTask(assignmentRows.map(({ taskId, acknowledgedAt, ...assignment }) => ({ taskId, item: { ...assignment, acknowledgedAt: acknowledgedAt?.toISOString() ?? null } })));
  const linksOf = groupByTask(linkRows.map((link) => ({ taskId: link.taskId, item: link.relatedTaskId })));
  const indicatorsOf = groupByTask(indicatorRows.map(({ taskId, position: _position, ...indicator }) => ({ taskId, item: indicator })));
  return rows.map((row) =>
    toTask(
      {
        ...row,
        assignments: assignmentsOf.get(row.id) ?? [],
        relatedTaskIds: linksOf.get(row.id) ?? [],
        indicators: indicatorsOf.get(row.id) ?? [],
        pendingExtension: pendingOf.get(row.id) ?? null,
        reporting: reportingOf.get(row.listId) ?? null,
      },
      ctx,
    ),
  );
}

function groupByTask<T>(entries: { taskId: string; item: T }[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const { taskId, item } of entries) {
    const group = groups.get(taskId);
    if (group) group.push(item);
    else groups.set(taskId, [item]);
  }
  return groups;
}

export function toTask(row: TaskReadRow, ctx: ReadContext): Task {
  return {
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
    // From JSON, timestamps come as PostgreSQL writes them.
    assignments: row.assignments.map((a) => ({ ...a, acknowledgedAt: a.acknowledgedAt === null ? null : new Date(a.acknowledgedAt).toISOString() })),
    status: row.status,
    progress: row.progress,
    dueDate: row.dueDate,
    originalDueDate: row.originalDueDate,
    pendingExtension: pendingExtensionOf(row.pendingExtension),
    window: row.windowFrom === null ? null : { start: row.windowStart, end: row.windowEnd, inheritedFrom: row.windowFrom === row.id ? null : row.windowFrom },
    weight: row.weight,
    childCount: row.childCount,
    indicators: row.indicators.map(({ latestValue, latestAt, latestEventId, ...indicator }) => ({
      ...indicator,
      latest: latestValue === null || latestAt === null || latestEventId === null ? null : { value: latestValue, at: new Date(latestAt).toISOString(), eventId: latestEventId },
      met: indicatorMet(indicator, latestValue),
    })),
    ...flagsOf({ status: row.status, dueDate: row.dueDate, quiet: isQuietUnder(row.reporting, row, ctx.now, ctx.policy.staleAfterDays) }, ctx.now, ctx.policy.amberWindowDays),
    version: row.version,
    lastEventId: row.lastEventId,
    relatedTaskIds: row.relatedTaskIds,
    lastReportAt: row.lastReportAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
