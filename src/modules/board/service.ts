import type { Database } from '../../db/client.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import type { Principal } from '../../domain/permissions.js';
import { utcDate } from '../../domain/task-state.js';
import { getAgency, listAgencies } from '../agencies/service.js';
import type { Agency } from '../agencies/schemas.js';
import { documentOutline, listDocuments } from '../documents/service.js';
import { reportingReport } from '../reports/reporting.js';
import { agencyReport, followUpReport, type ReportContext, summaryReport, timelineReport } from '../reports/service.js';
import { getTaskList, listTaskLists } from '../task-lists/service.js';
import { listEventsBetween, listTaskEvents } from '../tasks/events.js';
import { mayReadHistory } from '../tasks/history-access.js';
import type { Task, TaskQuery } from '../tasks/schemas.js';
import { getTask, listTasks } from '../tasks/service.js';
import type { BulletinParams, ListFilters } from './schemas.js';

/**
 * What each board page shows, gathered from the service verbs the API's routes call, so a number
 * on the board is the number the API gives. Nothing here counts or derives on its own.
 */

const PAGE = 200;

/** Every item of a paged service verb, following its cursor. */
async function everyPage<T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

function tasksWhere(db: Database, query: Omit<TaskQuery, 'limit' | 'cursor'>, ctx: ReportContext): Promise<Task[]> {
  return everyPage((cursor) => listTasks(db, { ...query, limit: PAGE, cursor }, ctx));
}

/** Agencies by id, for their names in either language. */
export async function agencyDirectory(db: Database): Promise<Map<string, Agency>> {
  const all = await everyPage((cursor) => listAgencies(db, { limit: PAGE, cursor }));
  return new Map(all.map((agency) => [agency.id, agency]));
}

export async function homeData(db: Database, ctx: ReportContext) {
  const [documents, lists] = await Promise.all([
    everyPage((cursor) => listDocuments(db, { limit: PAGE, cursor })),
    everyPage((cursor) => listTaskLists(db, { limit: PAGE, cursor })),
  ]);
  const summaries = await Promise.all(lists.map((list) => summaryReport(db, { list: [list.id] }, ctx)));
  return {
    documents: documents.map((document) => ({
      document,
      lists: lists.flatMap((list, i) => (list.documentId === document.id ? [{ list, summary: summaries[i]! }] : [])),
    })),
  };
}

/** Days, weeks or months, whichever keeps the chart to a readable number of points. */
function chartInterval(from: string, to: string): 'day' | 'week' | 'month' {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days <= 62) return 'day';
  return days <= 62 * 7 ? 'week' : 'month';
}

export async function listData(db: Database, id: string, filters: ListFilters, ctx: ReportContext) {
  const list = await getTaskList(db, id);
  if (filters.agency !== undefined) await knownAgency(db, filters.agency);
  const { health, ...sqlFilters } = filters;
  const filtered = Object.values(sqlFilters).some((value) => value !== undefined);
  const [summary, all, matching] = await Promise.all([
    summaryReport(db, { list: [id] }, ctx),
    tasksWhere(db, { list: id }, ctx),
    filtered ? tasksWhere(db, { list: id, ...sqlFilters }, ctx) : null,
  ]);
  // Health is derived per task by the same rule the API's task resource shows; no SQL filter exists for it.
  const shown = (matching ?? all).filter((task) => health === undefined || task.health === health);
  const depth = new Map<string, number>();
  for (const task of all) depth.set(task.id, task.parentId === null ? 0 : (depth.get(task.parentId) ?? 0) + 1);
  const from = all.reduce((first, task) => (task.createdAt < first ? task.createdAt : first), ctx.now.toISOString()).slice(0, 10);
  const to = utcDate(ctx.now);
  const timeline = await timelineReport(db, { list: [id], from, to, interval: chartInterval(from, to) }, ctx);
  return { list, summary, tasks: shown.map((task) => ({ task, depth: depth.get(task.id) ?? 0 })), units: unitsOf(all), timeline };
}

/** A filter naming no agency at all is a bad link (400), not a page that does not exist. */
async function knownAgency(db: Database, id: string): Promise<void> {
  try {
    await getAgency(db, id);
  } catch (error) {
    if (error instanceof NotFoundError) throw new InvalidInputError(`No agency with id "${id}".`, [{ location: 'querystring', path: 'agency', message: 'unknown agency' }]);
    throw error;
  }
}

/** The units a list's tasks name, in first-seen order, for the agency filter. */
function unitsOf(tasks: Task[]): { agencyId: string; agencyName: string }[] {
  const seen = new Map<string, string>();
  for (const task of tasks) for (const a of task.assignments) if (!seen.has(a.agencyId)) seen.set(a.agencyId, a.agencyName);
  return [...seen].map(([agencyId, agencyName]) => ({ agencyId, agencyName }));
}

export async function agencyData(db: Database, id: string, ctx: ReportContext) {
  const agency = await getAgency(db, id);
  const [leads, coOperates, report] = await Promise.all([
    tasksWhere(db, { agency: id, role: 'lead' }, ctx),
    tasksWhere(db, { agency: id, role: 'co' }, ctx),
    agencyReport(db, { agency: id }, ctx),
  ]);
  return { agency, leads, coOperates, row: report.items[0] ?? null };
}

export async function taskData(db: Database, id: string, principal: Principal, ctx: ReportContext) {
  const task = await getTask(db, id, ctx);
  const list = await getTaskList(db, task.listId);
  const [outline, history] = await Promise.all([
    documentOutline(db, list.documentId),
    mayReadHistory(db, principal, id).then((allowed) => (allowed ? everyPage((cursor) => listTaskEvents(db, id, { limit: PAGE, cursor })) : null)),
  ]);
  const article = outline.articles.find((a) => a.id === task.articleId) ?? null;
  return { task, list, article, history };
}

/** The month's first instant and the next month's, or a 400 for a month that has not begun. */
function monthBounds(month: string, now: Date): { start: Date; end: Date } {
  const start = new Date(`${month}-01T00:00:00Z`);
  if (start > now) {
    throw new InvalidInputError('A bulletin reports a month that has begun.', [{ location: 'params', path: 'month', message: `after the current month (${utcDate(now).slice(0, 7)})` }]);
  }
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return { start, end };
}

/** The list's reporting period a month falls in: the month itself, or its quarter. */
function periodOfMonth(cadence: 'monthly' | 'quarterly', month: string): string {
  return cadence === 'monthly' ? month : `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
}

/**
 * 月度情况通报: counts at the month's start and end (now, for the month under way), the ledger's
 * events of the month that the reader may see, what was overdue at its end, and the units that
 * did not report — by the reporting report of the month's period where the list has a cadence,
 * else those with no progress report in the month.
 */
export async function bulletinData(db: Database, params: BulletinParams, principal: Principal, ctx: ReportContext) {
  const list = await getTaskList(db, params.id);
  const { start, end } = monthBounds(params.month, ctx.now);
  const asOf = end > ctx.now ? undefined : new Date(end.getTime() - 1).toISOString();
  const before = new Date(start.getTime() - 1).toISOString();
  const [atStart, atEnd, overdue, events] = await Promise.all([
    summaryReport(db, { list: [list.id], asOf: before }, ctx),
    summaryReport(db, { list: [list.id], asOf }, ctx),
    everyPage((cursor) => followUpReport(db, { list: [list.id], asOf, limit: 5000, cursor }, 'overdue', ctx)),
    listEventsBetween(db, list.id, start, end),
  ]);
  const readable = new Map<string, boolean>();
  for (const taskId of new Set(events.map((event) => event.taskId))) readable.set(taskId, await mayReadHistory(db, principal, taskId));
  const missing = list.reporting
    ? {
        kind: 'reporting' as const,
        // As of now, not of the month's end: the due date may be its last day, and a report that came late still counts as late.
        report: await reportingReport(db, { list: list.id, period: periodOfMonth(list.reporting.cadence, params.month) }, ctx),
      }
    : {
        kind: 'quiet' as const,
        units: (await agencyReport(db, { list: [list.id], asOf }, ctx)).items.filter((row) => row.lastReportAt === null || new Date(row.lastReportAt) < start),
      };
  const visible = events.filter((event) => readable.get(event.taskId));
  return { list, month: params.month, atStart, atEnd, overdue, events: visible, hiddenEvents: events.length - visible.length, missing };
}
