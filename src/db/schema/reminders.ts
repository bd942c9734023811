import { sql } from 'drizzle-orm';
import { bigint, check, date, index, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';
import { tasks } from './tasks.js';

/**
 * Reminders that fired (临近提醒, the overdue notice, a missed reporting period): one row per task, kind and occurrence,
 * so the unique key, not any lock, is what makes each fire exactly once across processes and
 * restarts. A reminder is not a change to its task: it has no ledger event and moves no version.
 * Its webhook deliveries are written in the transaction that inserts it (db/outbox.ts).
 */
export const reminders = pgTable(
  'reminders',
  {
    /** Increases with every reminder: the feed's order and cursor, and the webhook payload's reminder.id. */
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    /** A webhook event type. */
    kind: text().notNull(),
    /**
     * Which occurrence of the kind this is, in a form of the kind's choosing: for the due-date
     * kinds the due date it is about, so a new due date gets reminders of its own and the same
     * date never fires twice; for report.missing, the period and the unit (`2026-03:tj-hrss-bureau`).
     */
    occurrence: text().notNull(),
    /** The due date the reminder is about (for report.missing, the period's); null for kinds that are not about one. */
    dueDate: date({ mode: 'string' }),
    /** report.missing: the unit that has not reported, and the period (domain/reporting.ts). */
    agencyId: text().references(() => agencies.id),
    period: text(),
    firedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    unique('reminders_once').on(t.taskId, t.kind, t.occurrence),
    index().on(t.kind, t.id),
    check('reminders_kind', sql`${t.kind} in ('task.due_soon', 'task.overdue', 'report.missing')`),
    check('reminders_report_unit', sql`(${t.kind} = 'report.missing') = (${t.agencyId} is not null and ${t.period} is not null)`),
  ],
);

export type ReminderRow = typeof reminders.$inferSelect;
export const REMINDER_KINDS = ['task.due_soon', 'task.overdue', 'report.missing'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
