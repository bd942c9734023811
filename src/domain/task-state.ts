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

/** What the derived flags depend on: status, due date, and whether the task has gone quiet. */
export interface FlagInputs {
  status: TaskStatus;
  dueDate: string | null;
  /** No progress report (or, before the first one, no creation) since the stale cutoff. */
  quiet: boolean;
}

const DAY_MS = 86_400_000;
export const DONE_STATUSES: readonly TaskStatus[] = ['completed', 'verified'];
const done = new Set<TaskStatus>(DONE_STATUSES);

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

/** A task whose last sign of life (report, or creation before the first) is at or before this moment has gone quiet. */
export function staleCutoff(now: Date, staleAfterDays: number): Date {
  return new Date(now.getTime() - staleAfterDays * DAY_MS);
}

export function isQuiet(task: Pick<TaskFacts, 'lastReportAt' | 'createdAt'>, now: Date, staleAfterDays: number): boolean {
  return (task.lastReportAt ?? task.createdAt).getTime() <= staleCutoff(now, staleAfterDays).getTime();
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

/** The flags of a task from the inputs they depend on; reports apply it once per group of alike tasks. */
export function flagsOf(inputs: FlagInputs, now: Date, amberWindowDays: number): DerivedState {
  return {
    overdue: isOverdue(inputs, now),
    // Stale: an open task with no progress report (or, before the first one, no creation) for staleAfterDays.
    stale: !done.has(inputs.status) && inputs.quiet,
    health: healthOf(inputs, now, amberWindowDays),
  };
}

export function deriveState(task: TaskFacts, now: Date, policy: DerivationPolicy): DerivedState {
  return flagsOf({ status: task.status, dueDate: task.dueDate, quiet: isQuiet(task, now, policy.staleAfterDays) }, now, policy.amberWindowDays);
}
