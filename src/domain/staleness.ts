import { dueEndOf, lastDuePeriod, type Reporting } from './reporting.js';
import { isQuiet, type TaskFacts } from './task-state.js';

/**
 * The stale rule's test of whether a task has gone quiet. On a list with a reporting cadence, a
 * missed period: no report since the start of the latest period whose due date has passed (a task
 * created after that due date is not judged for it, as in the reporting report). Elsewhere, no
 * report (or, before the first, creation) for staleAfterDays.
 */
export function isQuietUnder(reporting: Reporting | null, task: Pick<TaskFacts, 'lastReportAt' | 'createdAt'>, now: Date, staleAfterDays: number): boolean {
  if (reporting === null) return isQuiet(task, now, staleAfterDays);
  const period = lastDuePeriod(reporting, now);
  return task.createdAt < dueEndOf(period) && (task.lastReportAt === null || task.lastReportAt < period.start);
}

/** A list with a cadence, whose tasks go quiet by missed periods. */
export interface CadencedList {
  listId: string;
  reporting: Reporting;
}
