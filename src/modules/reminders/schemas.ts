import { z } from 'zod';
import { REMINDER_KINDS } from '../../db/schema/index.js';
import { CalendarDate, Cursor, Id, Limit, pageOf, Timestamp } from '../common/schemas.js';
import { WebhookId } from '../webhooks/schemas.js';

export const ReminderKind = z
  .enum(REMINDER_KINDS)
  .describe(
    'task.due_soon: REMINDER_DUE_SOON_DAYS before the due date (临近提醒); task.overdue: once the due date has passed; report.missing: a unit has not reported in a period whose due date has passed (lists with a cadence).',
  );

export const Reminder = z
  .object({
    id: z.number().int().min(1).describe('Increases with every reminder fired: the feed’s order and cursor.'),
    kind: ReminderKind,
    taskId: Id,
    listId: Id,
    occurrence: z
      .string()
      .describe('Which occurrence of the kind: for task.due_soon and task.overdue, the due date it is about; for report.missing, the period and the unit (2026-03:tj-hrss-bureau). Each task, kind and occurrence fires once.'),
    dueDate: CalendarDate.nullable().describe('The due date the reminder is about (report.missing: the period’s).'),
    agencyId: Id.nullable().describe('report.missing: the unit that has not reported; null for the other kinds.'),
    period: z.string().nullable().describe('report.missing: the period (2026-03, 2026-Q1); null for the other kinds.'),
    firedAt: Timestamp,
  })
  .meta({ id: 'Reminder', description: 'A reminder that fired. Not a change to the task: no ledger event, no new version.' });

export const ReminderPage = pageOf(Reminder).meta({ id: 'ReminderPage' });

export const ReminderQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  kind: ReminderKind.optional(),
  list: Id.optional(),
  agency: Id.optional().describe('Reminders of tasks assigned to this agency, directly or through a group it belongs to.'),
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('Only reminders with a greater id: the last id you received.'),
});

/** The body of a webhook request for a reminder. */
export const ReminderPayload = z
  .object({
    id: z.string().describe('The delivery id, as in webhook-id: the same on every retry and redelivery, so de-duplicate on it.'),
    type: ReminderKind,
    subscriptionId: WebhookId,
    task: z.object({ id: Id, listId: Id, number: z.number().int() }),
    reminder: Reminder,
  })
  .meta({ id: 'ReminderPayload' });

export type Reminder = z.infer<typeof Reminder>;
export type ReminderQuery = z.output<typeof ReminderQuery>;
export type ReminderPayload = z.infer<typeof ReminderPayload>;
