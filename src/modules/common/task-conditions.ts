import { and, inArray, isNotNull, isNull, lt, lte, not, or, type SQL, sql, type SQLWrapper } from 'drizzle-orm';
import { dueEndOf, lastDuePeriod } from '../../domain/reporting.js';
import type { CadencedList } from '../../domain/staleness.js';
import { DONE_STATUSES, staleCutoff, utcDate } from '../../domain/task-state.js';

/**
 * The derived-flag rules of domain/task-state.ts as SQL conditions, for filters and reports that
 * must not bring every task into the process. They apply to the tasks table and to a task's state
 * as of a past moment alike; the report and filter tests hold them to the domain functions.
 */
export interface FlagColumns {
  status: SQLWrapper;
  dueDate: SQLWrapper;
  listId: SQLWrapper;
  lastReportAt: SQLWrapper;
  createdAt: SQLWrapper;
}

/** How tasks go quiet (domain/staleness.ts): the lists with a cadence by missed periods, the others by staleAfterDays. */
export interface QuietRules {
  staleAfterDays: number;
  cadenced: readonly CadencedList[];
}

export function isOpen(columns: Pick<FlagColumns, 'status'>): SQL {
  return not(inArray(columns.status, DONE_STATUSES));
}

export function overdueAt(columns: Pick<FlagColumns, 'status' | 'dueDate'>, at: Date): SQL {
  return and(isNotNull(columns.dueDate), lt(columns.dueDate, utcDate(at)), isOpen(columns))!;
}

export function quietAt(columns: Pick<FlagColumns, 'listId' | 'lastReportAt' | 'createdAt'>, at: Date, rules: QuietRules): SQL {
  const byDays = lte(sql`coalesce(${columns.lastReportAt}, ${columns.createdAt})`, staleCutoff(at, rules.staleAfterDays));
  if (rules.cadenced.length === 0) return byDays;
  const byPeriod = rules.cadenced.map(({ listId, reporting }) => {
    const period = lastDuePeriod(reporting, at);
    const before = (column: SQLWrapper, instant: Date) => sql`${column} < ${instant.toISOString()}::timestamptz`;
    const missed = and(before(columns.createdAt, dueEndOf(period)), or(isNull(columns.lastReportAt), before(columns.lastReportAt, period.start)));
    return sql`when ${listId} then ${missed}`;
  });
  return sql`(case ${columns.listId} ${sql.join(byPeriod, sql` `)} else ${byDays} end)`;
}

export function staleAt(columns: FlagColumns, at: Date, rules: QuietRules): SQL {
  return and(isOpen(columns), quietAt(columns, at, rules))!;
}
