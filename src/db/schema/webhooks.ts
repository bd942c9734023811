import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';
import { taskLists } from './documents.js';
import { taskEvents } from './events.js';
import { reminders } from './reminders.js';

export const webhookStatus = pgEnum('webhook_status', ['active', 'disabled']);
export const deliveryStatus = pgEnum('webhook_delivery_status', ['pending', 'delivered', 'failed']);

/**
 * Where to send ledger events, and which. The secret signs every delivery (Standard Webhooks), so
 * it is kept as given; the API shows it only when the subscription is created.
 */
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: text().primaryKey(),
  url: text().notNull(),
  description: text(),
  /** Event types to send; empty means all. */
  eventTypes: text().array().notNull().default(sql`'{}'::text[]`),
  listId: text().references(() => taskLists.id),
  agencyId: text().references(() => agencies.id),
  secret: text().notNull(),
  status: webhookStatus().notNull().default('active'),
  /** Failed attempts since the last success; at the configured limit the subscription is disabled. */
  consecutiveFailures: integer().notNull().default(0),
  disabledAt: timestamp({ withTimezone: true, precision: 3 }),
  disabledReason: text(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  createdBy: text(),
  updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
});

/**
 * The outbox and the delivery log in one: a row is written in the transaction that appends the
 * event, or inserts the reminder, it carries (db/outbox.ts), so it exists exactly when that does,
 * and the dispatcher works it off. Each row carries exactly one of the two.
 * A claimed row's nextAttemptAt is pushed forward by a lease, so a dispatcher that dies mid-send
 * leaves it to be claimed again once the lease runs out.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    subscriptionId: text()
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventId: bigint({ mode: 'number' }).references(() => taskEvents.id),
    reminderId: bigint({ mode: 'number' }).references(() => reminders.id),
    status: deliveryStatus().notNull().default('pending'),
    /** Attempts in the current cycle; a redelivery starts a new one. */
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    lastAttemptAt: timestamp({ withTimezone: true, precision: 3 }),
    lastStatusCode: integer(),
    lastError: text(),
    deliveredAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    unique().on(t.subscriptionId, t.eventId),
    unique().on(t.subscriptionId, t.reminderId),
    check('webhook_deliveries_one_subject', sql`(${t.eventId} is null) <> (${t.reminderId} is null)`),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_finished_idx').on(t.createdAt).where(sql`${t.status} <> 'pending'`),
    index().on(t.subscriptionId, t.id),
    check('webhook_deliveries_attempts', sql`${t.attempts} >= 0`),
  ],
);

/** One row per attempt to send a delivery: what the receiver answered, or why nothing came back. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint({ mode: 'number' })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    statusCode: integer(),
    error: text(),
    durationMs: integer().notNull(),
  },
  (t) => [index().on(t.deliveryId, t.id)],
);

export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookStatus = (typeof webhookStatus.enumValues)[number];
