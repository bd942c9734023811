import type { TaskStatus } from '../db/schema/index.js';

export type Interval = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;

/** Period starts from `from` to `to` (UTC dates, inclusive); weeks start on Monday, months on the 1st. */
export function periodStarts(from: string, to: string, interval: Interval): string[] {
  const starts: string[] = [];
  let cursor = new Date(`${from}T00:00:00Z`);
  if (interval === 'week') cursor = new Date(cursor.getTime() - ((cursor.getUTCDay() + 6) % 7) * DAY_MS);
  if (interval === 'month') cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth(), 1));
  const end = new Date(`${to}T00:00:00Z`).getTime();
  while (cursor.getTime() <= end) {
    starts.push(cursor.toISOString().slice(0, 10));
    cursor = nextPeriod(cursor, interval);
  }
  return starts;
}

export function nextPeriod(start: Date, interval: Interval): Date {
  if (interval === 'day') return new Date(start.getTime() + DAY_MS);
  if (interval === 'week') return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
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
