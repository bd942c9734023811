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

export interface StatusChange {
  taskId: string;
  at: Date;
  status: TaskStatus;
}

/**
 * Counts by status at the end of each period, from the status changes in ledger order: a sweep
 * that keeps each task's latest status, so it costs one pass over the events.
 */
export function sweepTimeline(changes: readonly StatusChange[], periodEnds: readonly Date[]): Record<TaskStatus, number>[] {
  const current = new Map<string, TaskStatus>();
  const counts: Record<TaskStatus, number>[] = [];
  let next = 0;
  for (const end of periodEnds) {
    while (next < changes.length && changes[next]!.at.getTime() <= end.getTime()) {
      current.set(changes[next]!.taskId, changes[next]!.status);
      next += 1;
    }
    const tally: Record<TaskStatus, number> = { not_started: 0, in_progress: 0, delayed: 0, completed: 0, verified: 0 };
    for (const status of current.values()) tally[status] += 1;
    counts.push(tally);
  }
  return counts;
}
