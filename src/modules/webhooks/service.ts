import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { and, asc, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { agencies, taskLists, webhookAttempts, webhookDeliveries, type WebhookDeliveryRow, webhookSubscriptions, type WebhookSubscriptionRow } from '../../db/schema/index.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { isLoopbackName, isPublicAddress, newWebhookSecret } from '../../domain/webhooks.js';
import { cursorParts, decodeCursor, idAfter, paginate } from '../common/cursor.js';
import type { NewWebhook, WebhookPatch } from './schemas.js';

const ATTEMPTS_SHOWN = 50;

function toWebhook(row: WebhookSubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes as NewWebhook['eventTypes'],
    listId: row.listId,
    agencyId: row.agencyId,
    description: row.description,
    status: row.status,
    consecutiveFailures: row.consecutiveFailures,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A filter naming a list or agency that does not exist would silently match nothing; refuse it instead. */
async function assertFiltersExist(db: Database, filters: { listId?: string | null | undefined; agencyId?: string | null | undefined }) {
  const issues = [];
  if (filters.listId && (await db.select({ id: taskLists.id }).from(taskLists).where(eq(taskLists.id, filters.listId))).length === 0) {
    issues.push({ location: 'body' as const, path: 'listId', message: `no list "${filters.listId}"` });
  }
  if (filters.agencyId && (await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, filters.agencyId))).length === 0) {
    issues.push({ location: 'body' as const, path: 'agencyId', message: `no agency "${filters.agencyId}"` });
  }
  if (issues.length > 0) throw new InvalidInputError('The subscription filters on a list or agency that does not exist.', issues);
}

/**
 * Refuses, at once, a target that names a private address outright (an IP literal, or a name for loopback).
 * Names are judged after DNS resolution on every delivery; this only spares the admin a
 * subscription that could never be delivered.
 */
function assertTargetAllowed(url: string | undefined, allowPrivateTargets: boolean) {
  if (url === undefined || allowPrivateTargets) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackName(host) || (isIP(host) && !isPublicAddress(host))) {
    throw new InvalidInputError('Webhooks go to public addresses only, unless the service runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true.', [
      { location: 'body', path: 'url', message: `${host} is not a public address` },
    ]);
  }
}

export async function createWebhook(db: Database, input: NewWebhook, ctx: { createdBy: string | null; now: Date; allowPrivateTargets: boolean }) {
  assertTargetAllowed(input.url, ctx.allowPrivateTargets);
  await assertFiltersExist(db, input);
  const [row] = await db
    .insert(webhookSubscriptions)
    .values({
      id: randomBytes(8).toString('hex'),
      url: input.url,
      eventTypes: input.eventTypes,
      listId: input.listId ?? null,
      agencyId: input.agencyId ?? null,
      description: input.description ?? null,
      secret: input.secret ?? newWebhookSecret(),
      createdAt: ctx.now,
      createdBy: ctx.createdBy,
      updatedAt: ctx.now,
    })
    .returning();
  return { ...toWebhook(row!), secret: row!.secret };
}

async function subscriptionRow(db: Database, id: string): Promise<WebhookSubscriptionRow> {
  const [row] = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  if (!row) throw new NotFoundError('webhook subscription', id);
  return row;
}

export async function getWebhook(db: Database, id: string) {
  return toWebhook(await subscriptionRow(db, id));
}

export async function listWebhooks(db: Database, page: { limit: number; cursor?: string | undefined }) {
  const after = idAfter(page.cursor);
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(after === undefined ? undefined : gt(webhookSubscriptions.id, after))
    .orderBy(asc(webhookSubscriptions.id))
    .limit(page.limit + 1);
  const { rows: items, nextCursor } = paginate(rows, page.limit, (row) => [row.id]);
  return { items: items.map(toWebhook), nextCursor };
}

export async function updateWebhook(db: Database, id: string, patch: WebhookPatch, ctx: { now: Date; allowPrivateTargets: boolean }) {
  const { now } = ctx;
  const current = await subscriptionRow(db, id);
  assertTargetAllowed(patch.url, ctx.allowPrivateTargets);
  await assertFiltersExist(db, patch);
  const reactivated = patch.status === 'active' && current.status === 'disabled';
  const disabled = patch.status === 'disabled' && current.status === 'active';
  const [row] = await db
    .update(webhookSubscriptions)
    .set({
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.eventTypes !== undefined && { eventTypes: patch.eventTypes }),
      ...(patch.listId !== undefined && { listId: patch.listId }),
      ...(patch.agencyId !== undefined && { agencyId: patch.agencyId }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(reactivated && { status: 'active' as const, consecutiveFailures: 0, disabledAt: null, disabledReason: null }),
      ...(disabled && { status: 'disabled' as const, disabledAt: now, disabledReason: 'disabled by an administrator' }),
      updatedAt: now,
    })
    .where(eq(webhookSubscriptions.id, id))
    .returning();
  return toWebhook(row!);
}

/** Deletes a subscription with its outbox rows and delivery log. */
export async function deleteWebhook(db: Database, id: string): Promise<void> {
  const deleted = await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).returning({ id: webhookSubscriptions.id });
  if (deleted.length === 0) throw new NotFoundError('webhook subscription', id);
}

async function withLog(db: Database, rows: WebhookDeliveryRow[]) {
  const attempts = rows.length
    ? await db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.deliveryId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(webhookAttempts.id))
    : [];
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    reminderId: row.reminderId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    log: attempts
      .filter((a) => a.deliveryId === row.id)
      .slice(-ATTEMPTS_SHOWN)
      .map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
  }));
}

const deliveryCursor = z.tuple([cursorParts.position]);

/** The delivery log of a subscription, newest first. */
export async function listDeliveries(db: Database, id: string, query: { limit: number; cursor?: string | undefined; status?: WebhookDeliveryRow['status'] | undefined }) {
  await subscriptionRow(db, id);
  const before = query.cursor ? decodeCursor(query.cursor, deliveryCursor)[0] : undefined;
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, id),
        query.status ? eq(webhookDeliveries.status, query.status) : undefined,
        before === undefined ? undefined : lt(webhookDeliveries.id, before),
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.id]);
  return { items: await withLog(db, page), nextCursor };
}

/** Sends a delivery again, as a new cycle of attempts, with the same id so receivers can de-duplicate. */
export async function redeliver(db: Database, id: string, deliveryId: number, now: Date) {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, id)))
    .returning();
  if (!row) {
    await subscriptionRow(db, id);
    throw new NotFoundError('delivery', String(deliveryId));
  }
  const [delivery] = await withLog(db, [row]);
  return delivery!;
}
