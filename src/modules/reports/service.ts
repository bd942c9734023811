import { and, asc, eq, inArray, lte, max, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { stateOf } from '../../db/ledger.js';
import { agencies, agencyMembers, taskAssignments, taskEvents, tasks } from '../../db/schema/index.js';
import { documentOutline } from '../documents/service.js';
import type { TaskState } from '../../domain/ledger.js';
import { daysBetween, flagsAt, summarize, type TaskAtMoment } from '../../domain/report-math.js';
import { type Interval, nextPeriod, periodStarts, sweepTimeline } from '../../domain/timeline.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { DerivationPolicy } from '../../domain/task-state.js';
import { assignedTo } from '../tasks/service.js';
import type { ReportQuery } from './schemas.js';

export interface ReportContext {
  now: Date;
  policy: DerivationPolicy;
}

interface TaskAtMomentRow extends TaskAtMoment {
  listId: string;
  number: number;
  text: string;
  articleId: string | null;
}

/** The moment a report describes: now, the instant given, or the end of the (UTC) day given. */
export function reportMoment(asOf: string | undefined, now: Date): Date {
  if (asOf === undefined) return now;
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000 - 1);
  return new Date(asOf);
}

/**
 * Every task in scope as it stood at `at`. Live reports read the task rows; reports as of a
 * past moment read, for each task, the state its last event recorded at or before that moment,
 * so they say exactly what the API said then. Tasks created later are not in them.
 */
async function tasksAt(db: Database, query: ReportQuery, at: Date, live: boolean): Promise<TaskAtMomentRow[]> {
  const scope = and(query.list ? inArray(tasks.listId, query.list) : undefined, query.agency ? assignedTo(db, query.agency, undefined) : undefined);
  if (live) {
    const rows = await db.select().from(tasks).where(scope).orderBy(asc(tasks.listId), asc(tasks.number));
    return rows.map((row) => ({ id: row.id, listId: row.listId, number: row.number, text: row.text, articleId: row.articleId, createdAt: row.createdAt, state: stateOf(row) }));
  }
  // Qualified by hand: drizzle leaves columns of a one-table select unqualified, and inside the subquery "id" would be the event's.
  const stateThen = sql<TaskState | null>`(select e.state from task_events e where e.task_id = "tasks"."id" and e.at <= ${at.toISOString()}::timestamptz order by e.seq desc limit 1)`;
  const rows = await db
    .select({ id: tasks.id, listId: tasks.listId, number: tasks.number, text: tasks.text, articleId: tasks.articleId, createdAt: tasks.createdAt, state: stateThen })
    .from(tasks)
    .where(scope)
    .orderBy(asc(tasks.listId), asc(tasks.number));
  return rows.filter((row): row is TaskAtMomentRow => row.state !== null);
}

export async function summaryReport(db: Database, query: ReportQuery, ctx: ReportContext) {
  const at = reportMoment(query.asOf, ctx.now);
  const scoped = await tasksAt(db, query, at, query.asOf === undefined);
  return { asOf: at.toISOString(), ...summarize(scoped, at, ctx.policy) };
}

/** Overdue or stale tasks at a moment, with their lead agency, for follow-up. */
export async function followUpReport(db: Database, query: ReportQuery, kind: 'overdue' | 'stale', ctx: ReportContext) {
  const at = reportMoment(query.asOf, ctx.now);
  const scoped = await tasksAt(db, query, at, query.asOf === undefined);
  const selected = scoped.map((task) => ({ ...task, flags: flagsAt(task, at, ctx.policy) })).filter((task) => task.flags[kind]);
  const leads = selected.length
    ? await db
        .select({ taskId: taskAssignments.taskId, agencyId: agencies.id, name: agencies.name })
        .from(taskAssignments)
        .innerJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
        .where(
          and(
            inArray(
              taskAssignments.taskId,
              selected.map((t) => t.id),
            ),
            eq(taskAssignments.role, 'lead'),
          ),
        )
    : [];
  const leadOf = new Map(leads.map((lead) => [lead.taskId, lead]));
  return {
    asOf: at.toISOString(),
    items: selected.map((task) => {
      const { flags } = task;
      const lastSign = task.state.lastReportAt === null ? task.createdAt : new Date(task.state.lastReportAt);
      return {
        taskId: task.id,
        listId: task.listId,
        number: task.number,
        text: task.text,
        status: task.state.status,
        progress: task.state.progress,
        dueDate: task.state.dueDate,
        daysLate: flags.overdue && task.state.dueDate ? daysBetween(task.state.dueDate, at) : null,
        lastReportAt: task.state.lastReportAt,
        daysSinceReport: daysBetween(lastSign, at),
        leadAgencyId: leadOf.get(task.id)?.agencyId ?? null,
        leadAgencyName: leadOf.get(task.id)?.name ?? null,
      };
    }),
  };
}

/**
 * Per agency: tasks led and co-owned (a member counts its group's tasks), their counts, and when
 * the agency last reported. Agencies with no task in scope are left out.
 */
export async function agencyReport(db: Database, query: ReportQuery, ctx: ReportContext) {
  const at = reportMoment(query.asOf, ctx.now);
  const [scoped, assignments, memberships, agencyRows, lastReports] = await Promise.all([
    tasksAt(db, { ...query, agency: undefined }, at, query.asOf === undefined),
    db.select({ taskId: taskAssignments.taskId, agencyId: taskAssignments.agencyId, role: taskAssignments.role }).from(taskAssignments),
    db.select().from(agencyMembers),
    db.select().from(agencies).orderBy(asc(agencies.id)),
    db
      .select({ agencyId: taskEvents.actorAgencyId, at: max(taskEvents.at) })
      .from(taskEvents)
      .where(and(eq(taskEvents.type, 'progress_reported'), lte(taskEvents.at, at)))
      .groupBy(taskEvents.actorAgencyId),
  ]);
  const inScope = new Map(scoped.map((task) => [task.id, task]));
  const lastReportOf = new Map(lastReports.map((r) => [r.agencyId, r.at]));
  const items = [];
  for (const agency of agencyRows) {
    if (query.agency && agency.id !== query.agency) continue;
    const acting = new Set([agency.id, ...memberships.filter((m) => m.memberId === agency.id).map((m) => m.groupId)]);
    const roles = new Map<string, 'lead' | 'co'>();
    for (const a of assignments) {
      if (!acting.has(a.agencyId) || !inScope.has(a.taskId)) continue;
      if (roles.get(a.taskId) !== 'lead') roles.set(a.taskId, a.role);
    }
    if (roles.size === 0) continue;
    const mine = [...roles.keys()].map((id) => inScope.get(id)!);
    const last = lastReportOf.get(agency.id) ?? null;
    items.push({
      agencyId: agency.id,
      name: agency.name,
      kind: agency.kind,
      led: [...roles.values()].filter((r) => r === 'lead').length,
      coOwned: [...roles.values()].filter((r) => r === 'co').length,
      counts: summarize(mine, at, ctx.policy),
      lastReportAt: last?.toISOString() ?? null,
      daysSinceLastReport: last ? daysBetween(last, at) : null,
    });
  }
  return { asOf: at.toISOString(), items };
}

/** Counts per part and article of a document, in the document's order. */
export async function articleReport(db: Database, query: ReportQuery & { document: string }, ctx: ReportContext) {
  const at = reportMoment(query.asOf, ctx.now);
  const [{ parts, articles: articleRows }, scoped] = await Promise.all([documentOutline(db, query.document), tasksAt(db, query, at, query.asOf === undefined)]);
  const tasksOf = (articleIds: Set<string>) => scoped.filter((task) => task.articleId !== null && articleIds.has(task.articleId));
  return {
    asOf: at.toISOString(),
    documentId: query.document,
    parts: parts.map((part) => {
      const partArticles = articleRows.filter((a) => a.partId === part.id);
      return {
        id: part.id,
        number: part.number,
        title: part.title,
        counts: summarize(tasksOf(new Set(partArticles.map((a) => a.id))), at, ctx.policy),
        articles: partArticles.map((article) => ({
          id: article.id,
          number: article.number,
          title: article.title,
          counts: summarize(tasksOf(new Set([article.id])), at, ctx.policy),
        })),
      };
    }),
  };
}

const MAX_PERIODS = 1000;

/** Counts by status per day, week or month between two dates, for a burn-up chart. */
export async function timelineReport(db: Database, query: Omit<ReportQuery, 'asOf'> & { from: string; to: string; interval: Interval }, ctx: ReportContext) {
  const starts = query.from <= query.to ? periodStarts(query.from, query.to, query.interval) : [];
  if (starts.length === 0 || starts.length > MAX_PERIODS) {
    throw new InvalidInputError(`from must not be after to, and the range may hold at most ${MAX_PERIODS} periods.`, [
      { location: 'querystring', path: 'to', message: starts.length === 0 ? 'before from' : `more than ${MAX_PERIODS} ${query.interval}s after from` },
    ]);
  }
  const ends = starts.map((start) => {
    const end = new Date(nextPeriod(new Date(`${start}T00:00:00Z`), query.interval).getTime() - 1);
    return end > ctx.now ? ctx.now : end;
  });
  const scope = and(query.list ? inArray(tasks.listId, query.list) : undefined, query.agency ? assignedTo(db, query.agency, undefined) : undefined);
  const changes = await db
    .select({ taskId: taskEvents.taskId, at: taskEvents.at, status: sql<TaskState['status']>`${taskEvents.state}->>'status'` })
    .from(taskEvents)
    .innerJoin(tasks, eq(tasks.id, taskEvents.taskId))
    .where(and(scope, lte(taskEvents.at, ends.at(-1)!)))
    .orderBy(asc(taskEvents.at), asc(taskEvents.id));
  const counts = sweepTimeline(changes, ends);
  return {
    interval: query.interval,
    points: starts.map((periodStart, i) => {
      const byStatus = counts[i]!;
      return { periodStart, asOf: ends[i]!.toISOString(), total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
    }),
  };
}
