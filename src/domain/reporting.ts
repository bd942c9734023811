import type { AssignmentRole, TaskStatus } from '../db/schema/index.js';
import { actingAssignment } from './permissions.js';
import { DONE_STATUSES, utcDate } from './task-state.js';

/**
 * Reporting periods (定期报送): a list with a cadence expects each responsible unit of each of its
 * work items to report once a period, by the period's due date.
 */
export const REPORT_CADENCES = ['monthly', 'quarterly'] as const;
export type ReportCadence = (typeof REPORT_CADENCES)[number];

/** A list's cadence: every month or quarter, due on day dueDay (1–28, so every month has it) of the month, or of the quarter's last month. */
export interface Reporting {
  cadence: ReportCadence;
  dueDay: number;
}

/** A list row's cadence columns as a Reporting, or null when it has none (the columns are set together). */
export function reportingOf(list: { reportCadence: ReportCadence | null; reportDueDay: number | null }): Reporting | null {
  return list.reportCadence !== null && list.reportDueDay !== null ? { cadence: list.reportCadence, dueDay: list.reportDueDay } : null;
}

export interface Period {
  /** `2026-03` for a month, `2026-Q1` for a quarter. */
  id: string;
  /** The first instant of the period (UTC). */
  start: Date;
  /** The first instant after it. */
  end: Date;
  /** The last day a report is on time. */
  dueDate: string;
}

export const REPORTING_STATUSES = ['on_time', 'late', 'missing', 'not_due'] as const;
export type ReportingStatus = (typeof REPORTING_STATUSES)[number];

const MONTHS = { monthly: 1, quarterly: 3 } as const;
const PERIOD_ID = { monthly: /^(\d{4})-(0[1-9]|1[0-2])$/, quarterly: /^(\d{4})-Q([1-4])$/ } as const;

/** The period whose first month is the (zero-based, from year 0) month index given. */
function periodFrom(monthIndex: number, reporting: Reporting): Period {
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const months = MONTHS[reporting.cadence];
  const id = reporting.cadence === 'monthly' ? `${year}-${String(month + 1).padStart(2, '0')}` : `${year}-Q${month / 3 + 1}`;
  const dueMonth = new Date(Date.UTC(year, month + months - 1, reporting.dueDay));
  return { id, start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + months, 1)), dueDate: utcDate(dueMonth) };
}

/** The period an id names under the cadence, or null when the id is not one of the cadence's (2026-Q1 for a monthly list). */
export function parsePeriod(id: string, reporting: Reporting): Period | null {
  const match = PERIOD_ID[reporting.cadence].exec(id);
  if (!match) return null;
  const year = Number(match[1]);
  // Within the years an RFC 3339 timestamp can write, the period's end included.
  if (year < 1970 || year > 9998) return null;
  const first = reporting.cadence === 'monthly' ? Number(match[2]) - 1 : (Number(match[2]) - 1) * 3;
  return periodFrom(year * 12 + first, reporting);
}

/** The period an instant falls in. */
export function periodAt(instant: Date, reporting: Reporting): Period {
  const months = MONTHS[reporting.cadence];
  const index = instant.getUTCFullYear() * 12 + instant.getUTCMonth();
  return periodFrom(index - (index % months), reporting);
}

/** The period after (steps 1) or before (steps -1) one. */
export function shiftPeriod(period: Period, steps: number, reporting: Reporting): Period {
  const index = period.start.getUTCFullYear() * 12 + period.start.getUTCMonth();
  return periodFrom(index + steps * MONTHS[reporting.cadence], reporting);
}

/** The due date has passed by `at`: a report is missing from the day after it (UTC), as a task is overdue. */
export function duePassed(period: Period, at: Date): boolean {
  return period.dueDate < utcDate(at);
}

/** The latest period whose due date has passed by `at`: the one whose missing reports are newly known. */
export function lastDuePeriod(reporting: Reporting, at: Date): Period {
  const current = periodAt(at, reporting);
  return duePassed(current, at) ? current : shiftPeriod(current, -1, reporting);
}

/**
 * How a unit stands for a period, from its first report in the period (null: none by `at`):
 * on time on or before the due date, late after it (still in the period); with none, missing once
 * the due date has passed by `at`, not yet due before. Reports outside the period do not count.
 */
export function reportingStatus(firstReportAt: Date | null, period: Period, at: Date): ReportingStatus {
  if (firstReportAt !== null && firstReportAt >= period.start && firstReportAt < period.end && firstReportAt <= at) {
    return utcDate(firstReportAt) <= period.dueDate ? 'on_time' : 'late';
  }
  return duePassed(period, at) ? 'missing' : 'not_due';
}

/** The first instant after the period's due date (UTC): a task created before it is judged for the period. */
export function dueEndOf(period: Period): Date {
  return new Date(Date.parse(`${period.dueDate}T00:00:00Z`) + 86_400_000);
}

/** What decides whether a task is judged for a period at all. */
export interface JudgedFacts {
  createdAt: Date;
  /** Its status at the period's start (null: it did not exist yet). */
  statusAtStart: TaskStatus | null;
  childCount: number;
}

/**
 * A task is judged for a period when it is a work item (a parent's units report on its children,
 * as the counting reports count them), existed by the end of the period's due date (a task created
 * later could not have reported on time, so the period does not judge it: created after the period
 * closed, or after its due date), and was not done (completed or verified) when the period began.
 */
export function judged(task: JudgedFacts, period: Period): boolean {
  return task.childCount === 0 && task.createdAt < dueEndOf(period) && !(task.statusAtStart !== null && DONE_STATUSES.includes(task.statusAtStart));
}

/** A progress report as the ledger records it: who sent it (actor.agencyId) and when. */
export interface ReportSent {
  agencyId: string | null;
  at: Date;
}

/**
 * The first report in the period for each assignment of a task, by the agency of the assignment:
 * a report counts for the assignment its sender acts under (permissions.actingAssignment), so a
 * district's report counts for 各区人民政府's. `groupsOf` gives an agency's groups.
 */
export function firstReports<A extends { agencyId: string; role: AssignmentRole }>(
  reports: readonly ReportSent[],
  assignments: readonly A[],
  groupsOf: (agencyId: string) => readonly string[],
  period: Period,
  at: Date,
): Map<string, ReportSent> {
  const first = new Map<string, ReportSent>();
  for (const report of [...reports].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (report.at < period.start || report.at >= period.end || report.at > at || report.agencyId === null) continue;
    const acting = actingAssignment(report.agencyId, assignments, groupsOf(report.agencyId));
    if (acting && !first.has(acting.agencyId)) first.set(acting.agencyId, report);
  }
  return first;
}
