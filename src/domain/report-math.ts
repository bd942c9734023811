import type { TaskStatus } from '../db/schema/index.js';
import type { TaskState } from './ledger.js';
import { type DerivationPolicy, deriveState, type Health } from './task-state.js';

/** What a report needs of one task, as it stood at the report's moment. */
export interface TaskAtMoment {
  id: string;
  createdAt: Date;
  state: TaskState;
}

const STATUSES: TaskStatus[] = ['not_started', 'in_progress', 'delayed', 'completed', 'verified'];
const HEALTHS: Health[] = ['red', 'amber', 'green', 'none'];

/** Rounds a rate to four decimals so JSON stays readable and reproducible. */
function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

/** Derived flags of a task at a moment, from the state it had then. */
export function flagsAt(task: TaskAtMoment, at: Date, policy: DerivationPolicy) {
  return deriveState(
    {
      status: task.state.status,
      dueDate: task.state.dueDate,
      lastReportAt: task.state.lastReportAt === null ? null : new Date(task.state.lastReportAt),
      createdAt: task.createdAt,
    },
    at,
    policy,
  );
}

/**
 * The summary an auditor signs: counts by status and health, completion rate (completed +
 * verified over total), verified rate, overdue and stale counts — all at one moment.
 */
export function summarize(tasks: readonly TaskAtMoment[], at: Date, policy: DerivationPolicy) {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const byHealth = Object.fromEntries(HEALTHS.map((h) => [h, 0])) as Record<Health, number>;
  let overdue = 0;
  let stale = 0;
  for (const task of tasks) {
    byStatus[task.state.status] += 1;
    const flags = flagsAt(task, at, policy);
    byHealth[flags.health] += 1;
    if (flags.overdue) overdue += 1;
    if (flags.stale) stale += 1;
  }
  const total = tasks.length;
  return {
    total,
    byStatus,
    completionRate: rate(byStatus.completed + byStatus.verified, total),
    verifiedRate: rate(byStatus.verified, total),
    overdue,
    stale,
    byHealth,
  };
}

const DAY_MS = 86_400_000;

/** Whole days from a calendar date (or an instant) to a moment, for "days late" and "days since report". */
export function daysBetween(from: string | Date, to: Date): number {
  const start = typeof from === 'string' ? Date.parse(`${from}T00:00:00Z`) : from.getTime();
  return Math.floor((to.getTime() - start) / DAY_MS);
}
