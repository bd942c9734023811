import type { ReminderKind, TaskStatus } from '../db/schema/index.js';
import { addDays, DONE_STATUSES, utcDate } from './task-state.js';

export interface ReminderFacts {
  status: TaskStatus;
  dueDate: string | null;
  childCount: number;
}

export interface DueReminder {
  kind: ReminderKind;
  /** The due date the reminder is about: a new due date is a new occurrence. */
  occurrence: string;
}

/**
 * The reminder a task is due now, if any (临近提醒, then the overdue notice):
 * - task.overdue from the day after its due date (when domain/task-state.ts calls it overdue);
 * - task.due_soon from dueSoonDays before the due date up to the date itself, so a task that gets
 *   a due date already inside that window is reminded at once, and one that is already overdue
 *   only gets the overdue notice.
 * None for a task without a due date, a done one (completed or verified), or a parent: like the
 * reports, reminders are about work items, whose units do the work; a parent's status is theirs.
 */
export function dueReminder(task: ReminderFacts, now: Date, dueSoonDays: number): DueReminder | null {
  if (task.dueDate === null || task.childCount > 0 || DONE_STATUSES.includes(task.status)) return null;
  const today = utcDate(now);
  if (task.dueDate < today) return { kind: 'task.overdue', occurrence: task.dueDate };
  if (task.dueDate <= addDays(today, dueSoonDays)) return { kind: 'task.due_soon', occurrence: task.dueDate };
  return null;
}
