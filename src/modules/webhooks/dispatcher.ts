import { and, asc, eq, inArray, lt, lte, ne, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { isDatabaseUnavailable, loggableError } from '../../db/errors.js';
import { reminders, taskEvents, tasks, webhookAttempts, webhookDeliveries, type WebhookDeliveryRow, webhookSubscriptions } from '../../db/schema/index.js';
import { nextAttemptAfterFailure, retryAfterMs, signatureHeaders } from '../../domain/webhooks.js';
import { toReminder } from '../reminders/service.js';
import type { ReminderPayload } from '../reminders/schemas.js';
import { toEvent } from '../tasks/events.js';
import type { WebhookPayload } from './schemas.js';
import { postWebhook } from './send.js';

export interface DispatcherDeps {
  db: Database;
  clock: () => Date;
  settings: Config['webhooks'];
  logger: FastifyBaseLogger;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  retryAfter: string | null;
  durationMs: number;
}

const USER_AGENT = 'Duban-Webhooks/1';

/**
 * Claims due deliveries: pushes their next attempt past a lease and counts the attempt, in one
 * statement. FOR UPDATE SKIP LOCKED lets dispatchers in several processes claim side by side
 * without taking the same row; on the embedded engine there is only ever one.
 */
async function claimDue(deps: DispatcherDeps, now: Date): Promise<WebhookDeliveryRow[]> {
  const leaseUntil = new Date(now.getTime() + deps.settings.timeoutMs + 30_000);
  const due = deps.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now), eq(webhookSubscriptions.status, 'active')))
    .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
    .limit(deps.settings.concurrency)
    .for('update', { of: webhookDeliveries, skipLocked: true });
  return deps.db
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: leaseUntil, lastAttemptAt: now })
    .where(inArray(webhookDeliveries.id, due))
    .returning();
}

/**
 * The body of a delivery: its reminder or, failing that, its ledger event (a check constraint holds
 * each row to exactly one), with the task it is about; null when the subscription was deleted
 * meanwhile (and the delivery with it).
 */
async function payloadOf(deps: DispatcherDeps, delivery: WebhookDeliveryRow): Promise<{ url: string; secret: string; payload: WebhookPayload | ReminderPayload } | null> {
  const subscription = { url: webhookSubscriptions.url, secret: webhookSubscriptions.secret, listId: tasks.listId, number: tasks.number };
  if (delivery.reminderId !== null) {
    const [found] = await deps.db
      .select({ ...subscription, reminder: reminders })
      .from(webhookSubscriptions)
      .innerJoin(reminders, eq(reminders.id, delivery.reminderId))
      .innerJoin(tasks, eq(tasks.id, reminders.taskId))
      .where(eq(webhookSubscriptions.id, delivery.subscriptionId));
    if (!found) return null;
    const reminder = toReminder({ ...found.reminder, listId: found.listId });
    return {
      url: found.url,
      secret: found.secret,
      payload: { id: String(delivery.id), type: reminder.kind, subscriptionId: delivery.subscriptionId, task: { id: reminder.taskId, listId: found.listId, number: found.number }, reminder },
    };
  }
  const [found] = await deps.db
    .select({ ...subscription, event: taskEvents })
    .from(webhookSubscriptions)
    .innerJoin(taskEvents, eq(taskEvents.id, delivery.eventId!))
    .innerJoin(tasks, eq(tasks.id, taskEvents.taskId))
    .where(eq(webhookSubscriptions.id, delivery.subscriptionId));
  if (!found) return null;
  const event = toEvent(found.event);
  return {
    url: found.url,
    secret: found.secret,
    payload: { id: String(delivery.id), type: event.type, subscriptionId: delivery.subscriptionId, task: { id: event.taskId, listId: found.listId, number: found.number }, event },
  };
}

/** Sends one delivery; null when its subscription was deleted meanwhile. */
async function send(deps: DispatcherDeps, delivery: WebhookDeliveryRow): Promise<Outcome | null> {
  const found = await payloadOf(deps, delivery);
  if (!found) return null;
  const body = JSON.stringify(found.payload);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...signatureHeaders(found.secret, found.payload.id, deps.clock(), body) };
    const { statusCode, retryAfter } = await postWebhook(found.url, headers, body, deps.settings);
    const ok = statusCode >= 200 && statusCode < 300;
    return { statusCode, error: ok ? null : `the receiver answered ${statusCode}`, retryAfter, durationMs: elapsed() };
  } catch (error) {
    return { statusCode: null, error: describeSendError(error, deps.settings.timeoutMs), retryAfter: null, durationMs: elapsed() };
  }
}

function describeSendError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (typeof code === 'string' ? `${code}: ${message}` : message).slice(0, 500);
}

/**
 * Records an attempt: the log row, the delivery's new state, and the subscription's failure count
 * (disabling it at the limit). The subscription row is locked first, in the order a deletion takes
 * its rows, so recording and deleting queue rather than deadlock; a subscription deleted meanwhile
 * took the delivery with it, and there is nothing to record. NO KEY UPDATE, because task writes
 * only need the row to stay (FOR KEY SHARE, for their outbox rows) and need not wait for this.
 */
async function record(deps: DispatcherDeps, delivery: WebhookDeliveryRow, outcome: Outcome): Promise<void> {
  const now = deps.clock();
  const delivered = outcome.error === null;
  const next = delivered ? null : nextAttemptAfterFailure(delivery.attempts, now, deps.settings, retryAfterMs(outcome.retryAfter, now));
  const failures = await deps.db.transaction(async (tx) => {
    const [subscription] = await tx
      .select({ failures: webhookSubscriptions.consecutiveFailures, status: webhookSubscriptions.status })
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.id, delivery.subscriptionId))
      .for('no key update');
    if (!subscription) return null;
    await tx.insert(webhookAttempts).values({ deliveryId: delivery.id, at: now, statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.durationMs });
    await tx
      .update(webhookDeliveries)
      .set({
        status: delivered ? 'delivered' : next === null ? 'failed' : 'pending',
        ...(next !== null && { nextAttemptAt: next }),
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        ...(delivered && { deliveredAt: now }),
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    const failures = delivered ? 0 : subscription.failures + 1;
    const disable = !delivered && subscription.status === 'active' && failures >= deps.settings.disableAfterFailures;
    await tx
      .update(webhookSubscriptions)
      .set({
        consecutiveFailures: failures,
        ...(disable && { status: 'disabled' as const, disabledAt: now, disabledReason: `${failures} failed attempts in a row; the last: ${outcome.error}`, updatedAt: now }),
      })
      .where(eq(webhookSubscriptions.id, delivery.subscriptionId));
    if (disable) deps.logger.warn({ subscriptionId: delivery.subscriptionId, failures }, 'webhook subscription disabled after repeated failures');
    return failures;
  });
  if (!delivered && failures !== null) {
    deps.logger.info({ subscriptionId: delivery.subscriptionId, deliveryId: delivery.id, attempt: delivery.attempts, error: outcome.error, nextAttemptAt: next }, 'webhook delivery failed');
  }
}

const HOUR_MS = 3_600_000;

/** Deletes finished deliveries (and their attempts) older than the retention; pending ones stay whatever their age. */
async function pruneLog(deps: DispatcherDeps, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.settings.logRetentionDays * 24 * HOUR_MS);
  const deleted = await deps.db
    .delete(webhookDeliveries)
    .where(and(ne(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.createdAt, cutoff)))
    .returning({ id: webhookDeliveries.id });
  return deleted.length;
}

export interface Dispatcher {
  /** Claims and sends what is due now; resolves with how many deliveries it attempted. */
  runOnce(): Promise<number>;
  /** Deletes the finished deliveries past WEBHOOK_LOG_RETENTION_DAYS; the poll loop does it hourly. */
  pruneLog(): Promise<number>;
  /** Polls every pollMs (at once again while there is work) until stopped. */
  start(): void;
  /** Stops polling and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  let prunedAt = 0;

  const runOnce = async () => {
    const claimed = await claimDue(deps, deps.clock());
    await Promise.all(
      claimed.map(async (delivery) => {
        const outcome = await send(deps, delivery);
        if (outcome) await record(deps, delivery, outcome);
      }),
    );
    return claimed.length;
  };

  const tick = () => {
    const now = deps.clock();
    const prune = now.getTime() - prunedAt >= HOUR_MS ? pruneLog(deps, now).then(() => (prunedAt = now.getTime())) : Promise.resolve();
    running = prune
      .then(runOnce)
      .catch((error: unknown) => {
        if (isDatabaseUnavailable(error)) deps.logger.warn({ err: loggableError(error) }, 'webhook dispatch paused: the database does not answer; retrying at the next poll');
        else deps.logger.error({ err: loggableError(error) ?? error }, 'webhook dispatch failed; retrying at the next poll');
        return 0;
      })
      .then((attempted) => {
        if (!stopped) timer = setTimeout(tick, attempted > 0 ? 0 : deps.settings.pollMs);
      });
  };

  return {
    runOnce,
    pruneLog: () => pruneLog(deps, deps.clock()),
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
