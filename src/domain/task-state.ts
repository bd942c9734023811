import type { TaskStatus } from '../db/schema/index.js';

export type Health = 'red' | 'amber' | 'green' | 'none';

export interface DerivationPolicy {
  staleAfterDays: number;
  amberWindowDays: number;
}

export interface TaskFacts {
  status: TaskStatus;
  dueDate: string | null;
  lastReportAt: Date | null;
  createdAt: Date;
}

export interface DerivedState {
  overdue: boolean;
  stale: boolean;
  health: Health;
}

const DAY_MS = 86_400_000;
const done = new Set<TaskStatus>(['completed', 'verified']);

/** The calendar date (UTC) of an instant, as YYYY-MM-DD, the form due dates are stored in. */
export function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return utcDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** Overdue: the due date has passed (the task is late from the day after it) and the task is not done. */
export function isOverdue(task: Pick<TaskFacts, 'status' | 'dueDate'>, now: Date): boolean {
  return task.dueDate !== null && !done.has(task.status) && task.dueDate < utcDate(now);
}

/** Stale: an open task with no progress report (or, before the first one, no creation) for staleAfterDays. */
export function isStale(task: TaskFacts, now: Date, staleAfterDays: number): boolean {
  if (done.has(task.status)) return false;
  const lastSign = task.lastReportAt ?? task.createdAt;
  return now.getTime() - lastSign.getTime() >= staleAfterDays * DAY_MS;
}

/**
 * 红黄绿灯: red when overdue; amber when behind (delayed, or due within the amber window and not done);
 * green otherwise; none once verified (销号), since nothing is left to watch.
 */
export function healthOf(task: Pick<TaskFacts, 'status' | 'dueDate'>, now: Date, amberWindowDays: number): Health {
  if (task.status === 'verified') return 'none';
  if (isOverdue(task, now)) return 'red';
  if (task.status === 'completed') return 'green';
  if (task.status === 'delayed') return 'amber';
  if (task.dueDate !== null && task.dueDate <= addDays(utcDate(now), amberWindowDays)) return 'amber';
  return 'green';
}

export function deriveState(task: TaskFacts, now: Date, policy: DerivationPolicy): DerivedState {
  return {
    overdue: isOverdue(task, now),
    stale: isStale(task, now, policy.staleAfterDays),
    health: healthOf(task, now, policy.amberWindowDays),
  };
}
