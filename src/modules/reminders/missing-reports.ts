import { and, eq, inArray } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { enqueueReminderDeliveries } from '../../db/outbox.js';
import { reminders, tasks } from '../../db/schema/index.js';
import { lastDuePeriod } from '../../domain/reporting.js';
import type { CadencedList } from '../../domain/staleness.js';
import { DONE_STATUSES } from '../../domain/task-state.js';
import { periodRows } from '../reports/reporting.js';
import { holdScanLock } from './scan-lock.js';

/** Reminders inserted per statement: seven parameters each keeps a statement well under PostgreSQL's 65,535. */
const CHUNK = 1000;

/**
 * One list's report.missing reminders, in one transaction under the scan's advisory lock (null:
 * another process holds it). Only the latest period whose due date has passed is checked: the
 * one whose missing reports are news, so a list imported with a cadence is not reminded of every
 * period before it. The rows are those the reporting report shows as missing now (one rule for
 * both), of the work items still open; each (task, period and unit) fires once, by the unique key.
 */
export async function fireMissingReports(tx: Transaction, now: Date, list: CadencedList): Promise<number | null> {
  if (!(await holdScanLock(tx))) return null;
  const period = lastDuePeriod(list.reporting, now);
  const missing = (await periodRows(tx, list.listId, period, now)).filter((row) => row.status === 'missing' && !DONE_STATUSES.includes(row.taskStatus));
  if (missing.length === 0) return 0;
  const fired = await tx
    .select({ taskId: reminders.taskId, occurrence: reminders.occurrence })
    .from(reminders)
    .where(and(eq(reminders.kind, 'report.missing'), eq(reminders.period, period.id), inArray(reminders.taskId, tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.listId, list.listId)))));
  const known = new Set(fired.map((row) => `${row.taskId} ${row.occurrence}`));
  const due = missing
    .map((row) => ({
      taskId: row.taskId,
      kind: 'report.missing' as const,
      occurrence: `${period.id}:${row.agencyId}`,
      dueDate: period.dueDate,
      agencyId: row.agencyId,
      period: period.id,
      firedAt: now,
    }))
    .filter((reminder) => !known.has(`${reminder.taskId} ${reminder.occurrence}`));
  let count = 0;
  for (let i = 0; i < due.length; i += CHUNK) {
    const inserted = await tx
      .insert(reminders)
      .values(due.slice(i, i + CHUNK))
      .onConflictDoNothing()
      .returning({ id: reminders.id });
    await enqueueReminderDeliveries(
      tx,
      inserted.map((row) => row.id),
    );
    count += inserted.length;
  }
  return count;
}
