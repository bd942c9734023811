import { and, asc, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.js';
import { agencies, agencyMembers, type AssignmentRole, taskAssignments, taskEvents, taskLists, type TaskStatus, tasks } from '../../db/schema/index.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { firstReports, judged, parsePeriod, type Period, type Reporting, reportingOf, reportingStatus, REPORTING_STATUSES, type ReportingStatus } from '../../domain/reporting.js';
import { utcDate } from '../../domain/task-state.js';
import { groupBy } from '../common/group-by.js';
import type { ReportingQuery } from './schemas.js';
import { type ReportContext, reportMoment, reportTag } from './service.js';

/** The list's cadence and the period the id names under it: 404 for no such list, 400 for a list without a cadence or an id not of its cadence. */
export async function reportingPeriod(db: Database | Transaction, listId: string, periodId: string): Promise<{ reporting: Reporting; period: Period }> {
  const [list] = await db.select({ reportCadence: taskLists.reportCadence, reportDueDay: taskLists.reportDueDay }).from(taskLists).where(eq(taskLists.id, listId));
  if (!list) throw new NotFoundError('task list', listId);
  const reporting = reportingOf(list);
  if (!reporting) {
    throw new InvalidInputError('This list has no reporting periods: its import file gives it no reporting cadence.', [
      { location: 'querystring', path: 'list', message: 'a list without a cadence' },
    ]);
  }
  const period = parsePeriod(periodId, reporting);
  if (!period) {
    throw new InvalidInputError(`This list reports ${reporting.cadence}.`, [
      { location: 'querystring', path: 'period', message: reporting.cadence === 'monthly' ? 'name a month, such as 2026-03' : 'name a quarter, such as 2026-Q1' },
    ]);
  }
  return { reporting, period };
}

export interface PeriodRow {
  taskId: string;
  number: number;
  text: string;
  /** The task's status now, which the scheduler reminds open tasks by. */
  taskStatus: TaskStatus;
  agencyId: string;
  agencyName: string;
  role: AssignmentRole;
  status: ReportingStatus;
  reportedAt: Date | null;
  reportedBy: string | null;
}

/**
 * Every responsible unit of every work item of the list the period judges (domain/reporting.ts,
 * judged), with how it stands as of `at`: only ledger events at or before `at` count, for the
 * tasks that existed then and their status when the period began. Assignments are read as they
 * stand now, as the other reports read the tree. With `agency`, the rows of the assignments it
 * acts under: its own and its groups'.
 */
export async function periodRows(db: Database | Transaction, listId: string, period: Period, at: Date, agency?: string): Promise<PeriodRow[]> {
  // What was known, as of `at`, of the task's state when the period began.
  const startedAt = new Date(Math.min(period.start.getTime() - 1, at.getTime()));
  const atStart = db
    .select({ status: sql<TaskStatus>`${taskEvents.state}->>'status'`.as('start_status') })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, tasks.id), lte(taskEvents.at, startedAt)))
    .orderBy(desc(taskEvents.at), desc(taskEvents.seq))
    .limit(1)
    .as('at_start');
  const listTasks = db.select({ id: tasks.id }).from(tasks).where(and(eq(tasks.listId, listId), eq(tasks.childCount, 0)));
  const [taskRows, assignmentRows, reportRows, memberRows] = await Promise.all([
    db
      .select({ id: tasks.id, number: tasks.number, text: tasks.text, status: tasks.status, createdAt: tasks.createdAt, childCount: tasks.childCount, statusAtStart: atStart.status })
      .from(tasks)
      .leftJoinLateral(atStart, sql`true`)
      .where(and(eq(tasks.listId, listId), eq(tasks.childCount, 0), lte(tasks.createdAt, at)))
      .orderBy(asc(tasks.position)),
    db
      .select({ taskId: taskAssignments.taskId, agencyId: taskAssignments.agencyId, role: taskAssignments.role, agencyName: agencies.name })
      .from(taskAssignments)
      .innerJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
      .where(inArray(taskAssignments.taskId, listTasks))
      .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position)),
    db
      .select({ taskId: taskEvents.taskId, agencyId: taskEvents.actorAgencyId, at: taskEvents.at })
      .from(taskEvents)
      .where(
        and(
          eq(taskEvents.type, 'progress_reported'),
          inArray(taskEvents.taskId, listTasks),
          gte(taskEvents.at, period.start),
          lt(taskEvents.at, period.end),
          lte(taskEvents.at, at),
        ),
      )
      .orderBy(asc(taskEvents.at), asc(taskEvents.seq)),
    db.select({ memberId: agencyMembers.memberId, groupId: agencyMembers.groupId }).from(agencyMembers),
  ]);
  const groups = groupBy(memberRows, (row) => row.memberId);
  const groupsOf = (agencyId: string) => (groups.get(agencyId) ?? []).map((row) => row.groupId);
  const actsFor = agency === undefined ? null : new Set([agency, ...groupsOf(agency)]);
  const assignmentsOf = groupBy(assignmentRows, (row) => row.taskId);
  const reportsOf = groupBy(reportRows, (row) => row.taskId);
  return taskRows
    .filter((task) => judged(task, period))
    .flatMap((task) => {
      const assignments = assignmentsOf.get(task.id) ?? [];
      const first = firstReports(reportsOf.get(task.id) ?? [], assignments, groupsOf, period, at);
      return assignments
        .filter((assignment) => actsFor === null || actsFor.has(assignment.agencyId))
        .map((assignment) => {
          const report = first.get(assignment.agencyId) ?? null;
          return {
            taskId: task.id,
            number: task.number,
            text: task.text,
            taskStatus: task.status,
            agencyId: assignment.agencyId,
            agencyName: assignment.agencyName,
            role: assignment.role,
            status: reportingStatus(report?.at ?? null, period, at),
            reportedAt: report?.at ?? null,
            reportedBy: report?.agencyId ?? null,
          };
        });
    });
}

/** 定期报送: per work item and unit, on time, late, missing or not yet due for the period, as of any moment. */
export async function reportingReport(db: Database, query: ReportingQuery, ctx: ReportContext) {
  const { reporting, period } = await reportingPeriod(db, query.list, query.period);
  const { at } = reportMoment(query.asOf, ctx.now);
  const rows = await periodRows(db, query.list, period, at, query.agency);
  const byStatus = Object.fromEntries(REPORTING_STATUSES.map((status) => [status, rows.filter((row) => row.status === status).length])) as Record<ReportingStatus, number>;
  return {
    asOf: at.toISOString(),
    listId: query.list,
    cadence: reporting.cadence,
    period: period.id,
    periodStart: utcDate(period.start),
    periodEnd: utcDate(new Date(period.end.getTime() - 1)),
    dueDate: period.dueDate,
    total: rows.length,
    byStatus,
    items: rows.map(({ taskStatus: _taskStatus, reportedAt, ...row }) => ({ ...row, reportedAt: reportedAt?.toISOString() ?? null, dueDate: period.dueDate })),
  };
}

/**
 * Its ETag (reportTag): the rows derive from the ledger, so its position covers them, and the
 * list's cadence comes from an import, whose digest the tag names. For a report of now the tag
 * also names the UTC date, the only clock fact it shows: a unit without a report turns from
 * not_due to missing when the date passes the due date. Checks the list and the period first,
 * so a 304 is never given for a query that is not valid.
 */
export async function reportingTag(db: Database, query: ReportingQuery, ctx: ReportContext, format: string): Promise<string> {
  await reportingPeriod(db, query.list, query.period);
  return reportTag(db, 'reporting', { ...query, list: [query.list] }, ctx, format);
}
