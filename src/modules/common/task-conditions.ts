import { and, inArray, isNotNull, lt, lte, not, type SQL, type SQLWrapper } from 'drizzle-orm';
import { DONE_STATUSES, staleCutoff, utcDate } from '../../domain/task-state.js';

/**
 * The derived-flag rules of domain/task-state.ts as SQL conditions, for filters and reports that
 * must not bring every task into the process. They apply to the tasks table and to a task's state
 * as of a past moment alike; the report and filter tests hold them to the domain functions.
 */
export interface FlagColumns {
  status: SQLWrapper;
  dueDate: SQLWrapper;
  /** The last report, or creation before the first. */
  lastSign: SQLWrapper;
}

export function isOpen(columns: Pick<FlagColumns, 'status'>): SQL {
  return not(inArray(columns.status, DONE_STATUSES));
}

export function overdueAt(columns: Pick<FlagColumns, 'status' | 'dueDate'>, at: Date): SQL {
  return and(isNotNull(columns.dueDate), lt(columns.dueDate, utcDate(at)), isOpen(columns))!;
}

export function quietAt(columns: Pick<FlagColumns, 'lastSign'>, at: Date, staleAfterDays: number): SQL {
  return lte(columns.lastSign, staleCutoff(at, staleAfterDays));
}

export function staleAt(columns: FlagColumns, at: Date, staleAfterDays: number): SQL {
  return and(isOpen(columns), quietAt(columns, at, staleAfterDays))!;
}
