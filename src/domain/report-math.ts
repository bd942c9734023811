import type { TaskStatus } from '../db/schema/index.js';
import { type FlagInputs, flagsOf, type Health } from './task-state.js';

/**
 * Tasks that look alike to every report rule — same status, same due date, same side of the
 * stale cutoff — and how many there are. The database counts them; the rules are applied here,
 * once per group, so a report over 50,000 tasks derives a few hundred flags, not 50,000.
 */
export interface TaskGroup extends FlagInputs {
  count: number;
}

const STATUSES: TaskStatus[] = ['not_started', 'in_progress', 'delayed', 'completed', 'verified'];
const HEALTHS: Health[] = ['red', 'amber', 'green', 'none'];

/** Rounds a rate to four decimals so JSON stays readable and reproducible. */
function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

/**
 * The summary an auditor signs: counts by status and health, completion rate (completed +
 * verified over total), verified rate, overdue and stale counts — all at one moment.
 */
export function summarize(groups: readonly TaskGroup[], at: Date, amberWindowDays: number) {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const byHealth = Object.fromEntries(HEALTHS.map((h) => [h, 0])) as Record<Health, number>;
  let total = 0;
  let overdue = 0;
  let stale = 0;
  for (const group of groups) {
    const flags = flagsOf(group, at, amberWindowDays);
    total += group.count;
    byStatus[group.status] += group.count;
    byHealth[flags.health] += group.count;
    if (flags.overdue) overdue += group.count;
    if (flags.stale) stale += group.count;
  }
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
