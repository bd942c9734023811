/** The supervision routine (督查督办) around a task: extension requests and receipts. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';
import { tasks } from './tasks.js';

/**
 * 延期申请: a lead unit asks for a later due date, with its reason; the supervising office
 * approves (possibly with another date) or refuses. Each request and each decision is also a
 * ledger event of the task (requestEventId, decisionEventId), which is what auditors trust; the
 * row is what the inbox and the task reads look up. One request per task is pending at a time.
 */
export const extensionRequests = pgTable(
  'extension_requests',
  {
    id: text().primaryKey(),
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    status: text().$type<'pending' | 'approved' | 'refused'>().notNull(),
    requestedDueDate: date({ mode: 'string' }).notNull(),
    reason: text().notNull(),
    /** The due date in force when it was asked for. */
    dueDateAtRequest: date({ mode: 'string' }).notNull(),
    /** Asked after that due date had passed (lists whose policy is mark_late accept such requests, marked). */
    late: boolean().notNull(),
    requestedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    requestedByKeyId: text(),
    requestedByAgencyId: text().references(() => agencies.id),
    requestEventId: bigint({ mode: 'number' }).notNull(),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    decidedByKeyId: text(),
    decisionNote: text(),
    approvedDueDate: date({ mode: 'string' }),
    decisionEventId: bigint({ mode: 'number' }),
  },
  (t) => [
    uniqueIndex('extension_requests_one_pending_per_task').on(t.taskId).where(sql`${t.status} = 'pending'`),
    index().on(t.taskId, t.requestedAt),
    index().on(t.status, t.requestedAt, t.id),
    check('extension_requests_status', sql`${t.status} in ('pending', 'approved', 'refused')`),
    check('extension_requests_later', sql`${t.requestedDueDate} > ${t.dueDateAtRequest}`),
    check(
      'extension_requests_decision',
      sql`(${t.status} = 'pending') = (${t.decidedAt} is null) and (${t.status} = 'approved') = (${t.approvedDueDate} is not null)`,
    ),
  ],
);

export type ExtensionRequestRow = typeof extensionRequests.$inferSelect;

/**
 * 签收: a responsible unit's acknowledgement that it has received a task, once per assignment. A
 * member of a group signs for the group's assignment (the first to sign, named in byAgencyId).
 * Kept apart from task_assignments, which an import rewrites; a receipt of a unit no longer
 * assigned is dropped with its assignment (db/ledger.ts). The event is what auditors trust.
 */
export const assignmentReceipts = pgTable(
  'assignment_receipts',
  {
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    agencyId: text()
      .notNull()
      .references(() => agencies.id),
    acknowledgedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    byKeyId: text(),
    byAgencyId: text().references(() => agencies.id),
    eventId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.agencyId] }), index().on(t.agencyId, t.acknowledgedAt)],
);

export type AssignmentReceiptRow = typeof assignmentReceipts.$inferSelect;
