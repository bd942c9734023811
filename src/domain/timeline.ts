import type { TaskStatus } from '../db/schema/index.js';

export type Interval = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;

/**
 * Period starts from `from` to `to` (UTC dates, inclusive); weeks start on Monday, months on the
 * 1st. Stops after `max` + 1 starts, so that a range too long to answer costs no more than one
 * that is just too long (3.65 million days would otherwise be built before being refused).
 */
export function periodStarts(from: string, to: string, interval: Interval, max: number): string[] {
  const starts: string[] = [];
  let cursor = new Date(`${from}T00:00:00Z`);
  if (interval === 'week') cursor = new Date(cursor.getTime() - ((cursor.getUTCDay() + 6) % 7) * DAY_MS);
  if (interval === 'month') cursor = monthStart(cursor.getUTCFullYear(), cursor.getUTCMonth());
  const end = new Date(`${to}T00:00:00Z`).getTime();
  while (cursor.getTime() <= end && starts.length <= max) {
    starts.push(cursor.toISOString().slice(0, 10));
    cursor = nextPeriod(cursor, interval);
  }
  return starts;
}

export function nextPeriod(start: Date, interval: Interval): Date {
  if (interval === 'day') return new Date(start.getTime() + DAY_MS);
  if (interval === 'week') return new Date(start.getTime() + 7 * DAY_MS);
  return monthStart(start.getUTCFullYear(), start.getUTCMonth() + 1);
}

/** Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes them as they are. */
function monthStart(year: number, month: number): Date {
  const start = new Date(0);
  start.setUTCFullYear(year, month, 1);
  return start;
}

/** In one period, how many tasks moved into a status, and from which one (null: the task was created). */
export interface StatusMoves {
  period: number;
  from: TaskStatus | null;
  to: TaskStatus;
  count: number;
}

/**
 * Counts by status at the end of each of `periods` periods: each period starts from the counts the
 * one before ended with, and applies the moves recorded in it. Moves in period 0 include every
 * change before the first period, so it starts from the state the ledger had then.
 */
export function accumulateTimeline(moves: readonly StatusMoves[], periods: number): Record<TaskStatus, number>[] {
  const tally: Record<TaskStatus, number> = { not_started: 0, in_progress: 0, delayed: 0, completed: 0, verified: 0 };
  const inOrder = [...moves].sort((a, b) => a.period - b.period);
  const counts: Record<TaskStatus, number>[] = [];
  let next = 0;
  for (let period = 0; period < periods; period++) {
    for (; next < inOrder.length && inOrder[next]!.period === period; next++) {
      const move = inOrder[next]!;
      if (move.from !== null) tally[move.from] -= move.count;
      tally[move.to] += move.count;
    }
    counts.push({ ...tally });
  }
  return counts;
}
