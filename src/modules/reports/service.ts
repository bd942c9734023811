import { and, arrayContains, asc, desc, eq, gt, inArray, lte, max, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, assignmentReceipts, extensionRequests, taskAssignments, taskEvents, taskIndicators, tasks, type TaskStatus } from '../../db/schema/index.js';
import { documentOutline } from '../documents/service.js';
import { indicatorMet } from '../../domain/indicators.js';
import { daysBetween, summarize, type TaskGroup } from '../../domain/report-math.js';
import { accumulateTimeline, type Interval, nextPeriod, periodStarts, type StatusMoves } from '../../domain/timeline.js';
import { InvalidInputError } from '../../domain/errors.js';
import { type DerivationPolicy, utcDate } from '../../domain/task-state.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { type ClockFact, readTag } from '../common/read-tag.js';
import { isOpen, overdueAt, quietAt, type QuietRules } from '../common/task-conditions.js';
import { quietRules } from '../task-lists/service.js';
import { activeOn, assignedTo } from '../tasks/service.js';
import type { FollowUpQuery, ReportQuery } from './schemas.js';

export interface ReportContext {
  now: Date;
  policy: DerivationPolicy;
}

/**
 * The moment a report describes: now, the instant given, or the end of the (UTC) date given —
 * today's date means now, as today is not over. A moment after now would be a guess at what the
 * ledger will say, so it is refused. `live` when that moment is now, so the task rows answer.
 */
export function reportMoment(asOf: string | undefined, now: Date): { at: Date; live: boolean } {
  if (asOf === undefined || asOf === utcDate(now)) return { at: now, live: true };
  const at = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000 - 1) : new Date(asOf);
  if (at > now) {
    throw new InvalidInputError('asOf names a moment after now; reports describe what the ledger has recorded.', [
      { location: 'querystring', path: 'asOf', message: `after now (${now.toISOString()})` },
    ]);
  }
  return { at, live: false };
}

type Scope = Pick<ReportQuery, 'list' | 'parent' | 'activeOn' | 'agency'>;

/** The tasks a query names: in its lists, the parent and everything under it, active on the date, assigned to the agency. */
function tasksIn(db: Database, query: Scope): SQL | undefined {
  return and(
    query.list ? inArray(tasks.listId, query.list) : undefined,
    query.parent ? or(eq(tasks.id, query.parent), arrayContains(tasks.ancestorIds, [query.parent])) : undefined,
    query.activeOn ? activeOn(query.activeOn) : undefined,
    query.agency ? assignedTo(db, query.agency, undefined) : undefined,
  );
}

/**
 * The work items among them, which the counting reports count: a parent's status and progress
 * roll up from its children, so counting it as well would count the same work twice. Structure
 * (children, windows) changes only by import, which records it in the ledger; a report of a past
 * moment reads the tree as it stands now, as it reads the tasks' texts.
 */
export function scopeOf(db: Database, query: Scope): SQL {
  return and(eq(tasks.childCount, 0), tasksIn(db, query))!;
}

/** A task's state as its last event at or before `at` recorded: one probe of the task_events_task_at_idx covering index, joined laterally to tasks. */
function stateAt(db: Database, at: Date) {
  return db
    .select({ state: taskEvents.state })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, tasks.id), lte(taskEvents.at, at)))
    .orderBy(desc(taskEvents.at), desc(taskEvents.seq))
    .limit(1)
    .as('latest');
}

/**
 * Every task in scope as it stood at `at`, as a subquery reports group and filter in the database.
 * Live, that is the task rows. As of a past moment it is, for each task, the state its last event
 * at or before that moment recorded, so the report says exactly what the API said then; tasks
 * created later have no such event and drop out. `quiet` is the stale rule's test of the last
 * report against the policy's cutoff.
 */
export function tasksAt(db: Database, scope: SQL | undefined, at: Date, live: boolean, rules: QuietRules) {
  const shared = { id: tasks.id, listId: tasks.listId, position: tasks.position, number: tasks.number, text: tasks.text, articleId: tasks.articleId, createdAt: tasks.createdAt };
  if (live) {
    return db
      .select({
        ...shared,
        status: sql<TaskStatus>`${tasks.status}`.as('status'),
        progress: sql<number>`${tasks.progress}`.as('progress'),
        dueDate: sql<string | null>`${tasks.dueDate}`.mapWith(tasks.dueDate).as('due_date'),
        originalDueDate: sql<string | null>`${tasks.originalDueDate}`.mapWith(tasks.originalDueDate).as('original_due_date'),
        lastReportAt: sql<Date | null>`${tasks.lastReportAt}`.mapWith(tasks.lastReportAt).as('last_report_at'),
        quiet: sql<boolean>`${quietAt(tasks, at, rules)}`.as('quiet'),
      })
      .from(tasks)
      .where(scope)
      .as('task_at');
  }
  const latest = stateAt(db, at);
  const lastReportAt = sql`(${latest.state}->>'lastReportAt')::timestamptz`;
  return db
    .select({
      ...shared,
      status: sql<TaskStatus>`${latest.state}->>'status'`.as('status'),
      progress: sql<number>`(${latest.state}->>'progress')::int`.as('progress'),
      dueDate: sql<string | null>`${latest.state}->>'dueDate'`.as('due_date'),
      originalDueDate: sql<string | null>`${latest.state}->>'originalDueDate'`.as('original_due_date'),
      lastReportAt: sql<Date | null>`${lastReportAt}`.mapWith(tasks.lastReportAt).as('last_report_at'),
      quiet: sql<boolean>`${quietAt({ listId: tasks.listId, lastReportAt, createdAt: tasks.createdAt }, at, rules)}`.as('quiet'),
    })
    .from(tasks)
    .innerJoinLateral(latest, sql`true`)
    .where(scope)
    .as('task_at');
}

export type ReportName = 'summary' | 'agencies' | 'articles' | 'overdue' | 'stale' | 'timeline' | 'indicators' | 'reporting' | 'scorecards';

/**
 * What of the clock each report shows besides the date: counts of stale tasks; follow-up rows'
 * daysSinceReport (which also decide which tasks are stale, for any days); agencies'
 * daysSinceLastReport. The timeline counts statuses, and the indicator report shows values, which
 * change only with events; the reporting report's statuses change with events and the date alone.
 */
const clockShown: Record<ReportName, ClockFact[]> = {
  summary: ['staleTasks'],
  articles: ['staleTasks'],
  agencies: ['staleTasks', 'daysSinceAgencyReport'],
  overdue: ['daysSinceReport'],
  stale: ['daysSinceReport'],
  timeline: [],
  indicators: [],
  reporting: [],
  // Overdue days follow the date, which every live tag names.
  scorecards: [],
};

/**
 * The tasks a report covers: the indicator report every task in scope, as an indicator is its own
 * task's target, parent or not; the others their work items. The agency report's and the
 * scorecards' `agency` picks the agency rows, not the tasks.
 */
function reportScope(db: Database, name: ReportName, query: Scope): SQL | undefined {
  if (name === 'indicators') return tasksIn(db, query);
  return scopeOf(db, name === 'agencies' || name === 'scorecards' ? { ...query, agency: undefined } : query);
}

/**
 * The ETag of a report (common/read-tag.ts): its query and format, and for a report of now (no
 * asOf, or today's date, and no cursor, which carries the moment of its first page) the clock
 * facts it shows, over the tasks in its scope (reportScope).
 */
export function reportTag(
  db: Database,
  name: ReportName,
  query: Scope & { asOf?: string | undefined; cursor?: string | undefined },
  ctx: ReportContext,
  format: string,
): Promise<string> {
  const live = query.cursor === undefined && reportMoment(query.asOf, ctx.now).live;
  return readTag(db, name, {
    now: ctx.now,
    policy: ctx.policy,
    variant: [query, format],
    live: live ? { scope: reportScope(db, name, query), clock: clockShown[name] } : undefined,
  });
}

const taskCount = sql<number>`count(*)::int`;

export async function summaryReport(db: Database, query: ReportQuery, ctx: ReportContext) {
  const { at, live } = reportMoment(query.asOf, ctx.now);
  const scoped = tasksAt(db, scopeOf(db, query), at, live, await quietRules(db, ctx.policy.staleAfterDays));
  const [groups, [extended], [pending], [receipts]] = await Promise.all([
    db
      .select({ status: scoped.status, dueDate: scoped.dueDate, quiet: scoped.quiet, count: taskCount })
      .from(scoped)
      .groupBy(scoped.status, scoped.dueDate, scoped.quiet) as Promise<TaskGroup[]>,
    db
      .select({
        tasks: sql<number>`count(*) filter (where ${scoped.originalDueDate} is not null)::int`,
        days: sql<number>`coalesce(sum(${scoped.dueDate}::date - ${scoped.originalDueDate}::date), 0)::int`,
      })
      .from(scoped),
    // Requests made by then and not decided by then; a request's task is in scope as the counting reports define it.
    db
      .select({ count: taskCount })
      .from(extensionRequests)
      .innerJoin(tasks, eq(tasks.id, extensionRequests.taskId))
      .where(
        and(
          scopeOf(db, query),
          lte(extensionRequests.requestedAt, at),
          or(sql`${extensionRequests.decidedAt} is null`, gt(extensionRequests.decidedAt, at)),
        ),
      ),
    db
      .select({ assignments: taskCount, acknowledged: sql<number>`count(${assignmentReceipts.acknowledgedAt})::int` })
      .from(taskAssignments)
      .innerJoin(tasks, eq(tasks.id, taskAssignments.taskId))
      .leftJoin(
        assignmentReceipts,
        and(eq(assignmentReceipts.taskId, taskAssignments.taskId), eq(assignmentReceipts.agencyId, taskAssignments.agencyId), lte(assignmentReceipts.acknowledgedAt, at)),
      )
      .where(and(scopeOf(db, query), lte(tasks.createdAt, at))),
  ]);
  return {
    asOf: at.toISOString(),
    ...summarize(groups, at, ctx.policy.amberWindowDays),
    extensions: { extendedTasks: extended!.tasks, daysAdded: extended!.days, pendingRequests: pending!.count },
    receipts: { assignments: receipts!.assignments, acknowledged: receipts!.acknowledged, pending: receipts!.assignments - receipts!.acknowledged },
  };
}

/** Pages after the first carry the moment of the first, so together they list the tasks of one moment. */
const followUpCursor = z.tuple([z.iso.datetime(), cursorParts.text, cursorParts.int]);

/**
 * Overdue or stale tasks at a moment, in list order, with their lead agency, for follow-up. List
 * order is position, unique within a list, where number is only unique among siblings.
 */
export async function followUpReport(db: Database, query: FollowUpQuery, kind: 'overdue' | 'stale', ctx: ReportContext) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, followUpCursor);
  const moment = reportMoment(query.asOf, ctx.now);
  // Today's date means now, as does no asOf: either way, the cursor's moment goes on.
  if (after && !moment.live && moment.at.toISOString() !== after[0]) {
    throw new InvalidInputError('A cursor continues the report of the moment its first page described; asOf may not name another.', [
      { location: 'querystring', path: 'asOf', message: `omit it, or give ${after[0]}` },
    ]);
  }
  if (after && new Date(after[0]) > ctx.now) {
    throw new InvalidInputError('The cursor is not one this API issued for this listing.', [
      { location: 'querystring', path: 'cursor', message: 'it names a moment after now; pass back the nextCursor of the previous page unchanged' },
    ]);
  }
  const at = after ? new Date(after[0]) : moment.at;
  const scoped = tasksAt(db, scopeOf(db, query), at, after === undefined && moment.live, await quietRules(db, ctx.policy.staleAfterDays));
  const flagged = kind === 'overdue' ? overdueAt(scoped, at) : and(isOpen(scoped), eq(scoped.quiet, true));
  const rows = await db
    .select({
      taskId: scoped.id,
      listId: scoped.listId,
      position: scoped.position,
      number: scoped.number,
      text: scoped.text,
      status: scoped.status,
      progress: scoped.progress,
      dueDate: scoped.dueDate,
      lastReportAt: scoped.lastReportAt,
      createdAt: scoped.createdAt,
      leadAgencyId: agencies.id,
      leadAgencyName: agencies.name,
    })
    .from(scoped)
    .leftJoin(taskAssignments, and(eq(taskAssignments.taskId, scoped.id), eq(taskAssignments.role, 'lead')))
    .leftJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
    .where(and(flagged, after ? or(gt(scoped.listId, after[1]), and(eq(scoped.listId, after[1]), gt(scoped.position, after[2]))) : undefined))
    .orderBy(asc(scoped.listId), asc(scoped.position))
    .limit(query.limit + 1);
  const page = paginate(rows, query.limit, (row) => [at.toISOString(), row.listId, row.position]);
  return {
    asOf: at.toISOString(),
    items: page.rows.map(({ createdAt, position: _position, ...row }) => ({
      ...row,
      daysLate: kind === 'overdue' && row.dueDate !== null ? daysBetween(row.dueDate, at) : null,
      lastReportAt: row.lastReportAt?.toISOString() ?? null,
      daysSinceReport: daysBetween(row.lastReportAt ?? createdAt, at),
    })),
    nextCursor: page.nextCursor,
  };
}

/** An agency acts for itself and for every group it is a member of. */
export function actingAgencies(db: Database) {
  return db.$with('acting').as(
    db
      .select({ agencyId: sql<string>`${agencies.id}`.as('acting_agency_id'), via: sql<string>`${agencies.id}`.as('acting_via') })
      .from(agencies)
      .unionAll(db.select({ agencyId: sql<string>`${agencyMembers.memberId}`.as('acting_agency_id'), via: sql<string>`${agencyMembers.groupId}`.as('acting_via') }).from(agencyMembers)),
  );
}

/** Each agency's role on each task it acts on (lead wins when it holds both), optionally of one agency. */
export function actingRoles(db: Database, agencyId: string | undefined) {
  const acting = actingAgencies(db);
  return db
    .with(acting)
    .select({ agencyId: acting.agencyId, taskId: taskAssignments.taskId, role: sql<'lead' | 'co'>`min(${taskAssignments.role})::text`.as('role') })
    .from(taskAssignments)
    .innerJoin(acting, eq(acting.via, taskAssignments.agencyId))
    .where(agencyId ? eq(acting.agencyId, agencyId) : undefined)
    .groupBy(acting.agencyId, taskAssignments.taskId)
    .as('roles');
}

/**
 * Per agency: tasks led and co-owned (a member counts its group's tasks; lead wins when it holds
 * both roles on a task), their counts, and when the agency last reported. Agencies with no task
 * in scope are left out.
 */
export async function agencyReport(db: Database, query: ReportQuery, ctx: ReportContext) {
  const { at, live } = reportMoment(query.asOf, ctx.now);
  const scoped = tasksAt(db, reportScope(db, 'agencies', query), at, live, await quietRules(db, ctx.policy.staleAfterDays));
  const roles = actingRoles(db, query.agency);
  const lastReport = db
    .select({ at: max(taskEvents.at).as('last_report_at') })
    .from(taskEvents)
    .where(and(eq(taskEvents.type, 'progress_reported'), eq(taskEvents.actorAgencyId, agencies.id), lte(taskEvents.at, at)))
    .as('last_report');
  const [groups, agencyRows] = await Promise.all([
    db
      .select({ agencyId: roles.agencyId, role: roles.role, status: scoped.status, dueDate: scoped.dueDate, quiet: scoped.quiet, count: taskCount })
      .from(roles)
      .innerJoin(scoped, eq(scoped.id, roles.taskId))
      .groupBy(roles.agencyId, roles.role, scoped.status, scoped.dueDate, scoped.quiet),
    db
      .select({ id: agencies.id, name: agencies.name, kind: agencies.kind, lastReportAt: lastReport.at })
      .from(agencies)
      .innerJoinLateral(lastReport, sql`true`)
      .where(query.agency ? eq(agencies.id, query.agency) : undefined)
      .orderBy(asc(agencies.id)),
  ]);
  const items = [];
  for (const agency of agencyRows) {
    const mine = groups.filter((group) => group.agencyId === agency.id);
    if (mine.length === 0) continue;
    const tasksWithRole = (role: 'lead' | 'co') => mine.filter((group) => group.role === role).reduce((sum, group) => sum + group.count, 0);
    const last = agency.lastReportAt === null ? null : new Date(agency.lastReportAt);
    items.push({
      agencyId: agency.id,
      name: agency.name,
      kind: agency.kind,
      led: tasksWithRole('lead'),
      coOwned: tasksWithRole('co'),
      counts: summarize(mine, at, ctx.policy.amberWindowDays),
      lastReportAt: last?.toISOString() ?? null,
      daysSinceLastReport: last ? daysBetween(last, at) : null,
    });
  }
  return { asOf: at.toISOString(), items };
}

/** Counts per part and article of a document, in the document's order. */
export async function articleReport(db: Database, query: ReportQuery & { document: string }, ctx: ReportContext) {
  const { at, live } = reportMoment(query.asOf, ctx.now);
  const scoped = tasksAt(db, scopeOf(db, query), at, live, await quietRules(db, ctx.policy.staleAfterDays));
  const [{ parts, articles: articleRows }, groups] = await Promise.all([
    documentOutline(db, query.document),
    db
      .select({ articleId: scoped.articleId, status: scoped.status, dueDate: scoped.dueDate, quiet: scoped.quiet, count: taskCount })
      .from(scoped)
      .groupBy(scoped.articleId, scoped.status, scoped.dueDate, scoped.quiet),
  ]);
  const groupsOf = (articleIds: Set<string>) => groups.filter((group) => group.articleId !== null && articleIds.has(group.articleId));
  return {
    asOf: at.toISOString(),
    documentId: query.document,
    parts: parts.map((part) => {
      const partArticles = articleRows.filter((a) => a.partId === part.id);
      return {
        id: part.id,
        number: part.number,
        title: part.title,
        counts: summarize(groupsOf(new Set(partArticles.map((a) => a.id))), at, ctx.policy.amberWindowDays),
        articles: partArticles.map((article) => ({
          id: article.id,
          number: article.number,
          title: article.title,
          counts: summarize(groupsOf(new Set([article.id])), at, ctx.policy.amberWindowDays),
        })),
      };
    }),
  };
}

const MAX_PERIODS = 1000;

/**
 * Counts by status per day, week or month between two dates, for a burn-up chart. The database
 * walks each task's events in time order and counts, per period, the moves from one status to
 * another; adding them up period by period gives the counts at each period's end.
 */
export async function timelineReport(db: Database, query: Omit<ReportQuery, 'asOf'> & { from: string; to: string; interval: Interval }, ctx: ReportContext) {
  const starts = query.from <= query.to ? periodStarts(query.from, query.to, query.interval, MAX_PERIODS) : [];
  if (starts.length === 0 || starts.length > MAX_PERIODS) {
    throw new InvalidInputError(`from must not be after to, and the range may hold at most ${MAX_PERIODS} periods.`, [
      { location: 'querystring', path: 'to', message: starts.length === 0 ? 'before from' : `more than ${MAX_PERIODS} ${query.interval}s after from` },
    ]);
  }
  const ends = starts.map((start) => {
    const end = new Date(nextPeriod(new Date(`${start}T00:00:00Z`), query.interval).getTime() - 1);
    return end > ctx.now ? ctx.now : end;
  });
  const scope = scopeOf(db, query);
  const statuses = db
    .select({
      at: taskEvents.at,
      to: sql<TaskStatus>`${taskEvents.state}->>'status'`.as('to_status'),
      from: sql<TaskStatus | null>`lag(${taskEvents.state}->>'status') over (partition by ${taskEvents.taskId} order by ${taskEvents.at}, ${taskEvents.seq})`.as('from_status'),
    })
    .from(taskEvents)
    .where(and(lte(taskEvents.at, ends.at(-1)!), inArray(taskEvents.taskId, db.select({ id: tasks.id }).from(tasks).where(scope))))
    .as('statuses');
  // Period i holds the moves after the end of period i - 1, up to its own end; period 0 everything before.
  const laterStarts = ends.slice(0, -1).map((end) => new Date(end.getTime() + 1).toISOString());
  const period = sql<number>`width_bucket(${statuses.at}, ${`{${laterStarts.join(',')}}`}::timestamptz[])`;
  const moves: StatusMoves[] = await db
    .select({ period: period.as('period'), from: statuses.from, to: statuses.to, count: taskCount })
    .from(statuses)
    .where(sql`${statuses.from} is distinct from ${statuses.to}`)
    .groupBy(sql`1`, statuses.from, statuses.to);
  const counts = accumulateTimeline(moves, starts.length);
  return {
    interval: query.interval,
    points: starts.map((periodStart, i) => {
      const byStatus = counts[i]!;
      return { periodStart, asOf: ends[i]!.toISOString(), total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
    }),
  };
}

/**
 * Every indicator of the tasks in scope, in list order: its definition, its latest value and the
 * value as of the report's moment, which the state of its task's last event at or before then
 * records (a task created later drops out, as in the counting reports). Whether that value meets
 * the target is judged against the definition as it stands now, the one each row shows.
 */
export async function indicatorReport(db: Database, query: ReportQuery, ctx: ReportContext) {
  const { at, live } = reportMoment(query.asOf, ctx.now);
  const latest = stateAt(db, at);
  const asOfValue = live ? sql<number | null>`${taskIndicators.latestValue}` : sql<number | null>`(${latest.state}->'indicators'->>${taskIndicators.key})::float8`;
  const indicatorRows = db
    .select({
      taskId: tasks.id,
      listId: tasks.listId,
      number: tasks.number,
      label: tasks.label,
      title: tasks.title,
      key: taskIndicators.key,
      name: taskIndicators.name,
      unit: taskIndicators.unit,
      direction: taskIndicators.direction,
      target: taskIndicators.target,
      min: taskIndicators.min,
      max: taskIndicators.max,
      baseline: taskIndicators.baseline,
      due: taskIndicators.due,
      latest: taskIndicators.latestValue,
      latestAt: taskIndicators.latestAt,
      asOfValue,
    })
    .from(tasks)
    .innerJoin(taskIndicators, eq(taskIndicators.taskId, tasks.id))
    .$dynamic();
  const rows = await (live ? indicatorRows : indicatorRows.innerJoinLateral(latest, sql`true`))
    .where(reportScope(db, 'indicators', query))
    .orderBy(asc(tasks.listId), asc(tasks.position), asc(taskIndicators.position));
  const items = rows.map((row) => ({ ...row, latestAt: row.latestAt?.toISOString() ?? null, met: indicatorMet(row, row.asOfValue) }));
  return {
    asOf: at.toISOString(),
    counts: {
      indicators: items.length,
      reported: items.filter((row) => row.asOfValue !== null).length,
      met: items.filter((row) => row.met === true).length,
    },
    items,
  };
}
