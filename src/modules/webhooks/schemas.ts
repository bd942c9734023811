import { z } from 'zod';
import { REMINDER_KINDS } from '../../db/schema/index.js';
import { Event } from '../tasks/events-schemas.js';
import { Id, isStorableText, PageQuery, pageOf, STORABLE_TEXT_MESSAGE, Text, Timestamp } from '../common/schemas.js';

const EventType = Event.shape.type;
/** What a subscription may ask for: ledger event types and reminder kinds. */
const DeliveredType = z.enum([...EventType.options, ...REMINDER_KINDS]);

export const WebhookId = z.string().regex(/^[a-f0-9]{16}$/, 'must be the 16-character subscription id');

const WebhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2048)
  .refine(isStorableText, STORABLE_TEXT_MESSAGE)
  // Credentials in a URL would be shown to every admin who lists the subscriptions; the signature authenticates the sender instead.
  .refine((url) => URL.canParse(url) && new URL(url).username === '' && new URL(url).password === '', 'must not carry a user name or password')
  .refine((url) => !URL.canParse(url) || new URL(url).port !== '0', 'port 0 is not a port one can connect to')
  .describe('Receives a POST per event. Redirects are not followed; any 2xx within the timeout counts as delivered.');

const Secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{43}=$/, 'must be whsec_ followed by the base64 of 32 bytes; leave it out and one is made for you')
  .describe('Standard Webhooks signing secret: whsec_ + base64 of 32 random bytes.');

const filters = {
  eventTypes: z
    .array(DeliveredType)
    .max(DeliveredType.options.length)
    .describe('Ledger event types and reminder kinds (task.due_soon, task.overdue, report.missing) to send; empty (the default) sends all.'),
  listId: Id.nullable().describe('Only events and reminders of tasks in this list.'),
  agencyId: Id.nullable().describe('Only events and reminders of tasks assigned to this agency, directly or through a group it belongs to.'),
  description: Text.trim().min(1).max(200).nullable(),
};

export const NewWebhook = z
  .strictObject({
    url: WebhookUrl,
    eventTypes: filters.eventTypes.default([]),
    listId: filters.listId.optional(),
    agencyId: filters.agencyId.optional(),
    description: filters.description.optional(),
    secret: Secret.optional(),
  })
  .meta({ id: 'NewWebhook' });

export const WebhookPatch = z
  .strictObject({
    url: WebhookUrl.optional(),
    eventTypes: filters.eventTypes.optional(),
    listId: filters.listId.optional(),
    agencyId: filters.agencyId.optional(),
    description: filters.description.optional(),
    status: z.enum(['active', 'disabled']).optional().describe('active again resets the failure count; pending deliveries resume.'),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'give at least one field to change' })
  .meta({ id: 'WebhookPatch' });

export const Webhook = z
  .object({
    id: WebhookId,
    url: z.string(),
    eventTypes: z.array(DeliveredType),
    listId: Id.nullable(),
    agencyId: Id.nullable(),
    description: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    consecutiveFailures: z.number().int().min(0).describe('Failed attempts since the last success.'),
    disabledAt: Timestamp.nullable(),
    disabledReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Webhook' });

export const CreatedWebhook = Webhook.extend({
  secret: Secret.describe('Verify every delivery with it (README: "Webhooks"). Shown only now.'),
}).meta({ id: 'CreatedWebhook' });

export const WebhookPage = pageOf(Webhook).meta({ id: 'WebhookPage' });
export const WebhookParams = z.object({ id: WebhookId });
export const DeliveryParams = z.object({ id: WebhookId, deliveryId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export const DeliveryQuery = PageQuery.extend({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
});

export const Attempt = z
  .object({
    at: Timestamp,
    statusCode: z.number().int().nullable().describe('The receiver’s HTTP status; null when none came (refused, timed out).'),
    error: z.string().nullable(),
    durationMs: z.number().int().min(0),
  })
  .meta({ id: 'WebhookAttempt' });

export const Delivery = z
  .object({
    id: z.number().int().min(1).describe('Also the webhook-id header and the payload id: the same on every retry and redelivery.'),
    eventId: z.number().int().min(1).nullable().describe('The ledger event delivered; null for a reminder.'),
    reminderId: z.number().int().min(1).nullable().describe('The reminder delivered; null for a ledger event.'),
    status: z.enum(['pending', 'delivered', 'failed']).describe('failed: every attempt of the cycle failed; redeliver to start another.'),
    attempts: z.number().int().min(0).describe('Attempts in the current cycle.'),
    nextAttemptAt: Timestamp.nullable().describe('When a pending delivery is tried next.'),
    lastAttemptAt: Timestamp.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp,
    log: z.array(Attempt).describe('Every attempt, oldest first (at most the last 50).'),
  })
  .meta({ id: 'WebhookDelivery' });

export const DeliveryPage = pageOf(Delivery).meta({ id: 'WebhookDeliveryPage' });

/** The body of every webhook request. */
export const WebhookPayload = z
  .object({
    id: z.string().describe('The delivery id, as in webhook-id: the same on every retry and redelivery, so de-duplicate on it.'),
    type: EventType,
    subscriptionId: WebhookId,
    task: z.object({ id: Id, listId: Id, number: z.number().int() }),
    event: Event.describe('The ledger event, exactly as the API serves it; actor names the key and agency that acted.'),
  })
  .meta({ id: 'WebhookPayload' });

export type NewWebhook = z.output<typeof NewWebhook>;
export type WebhookPatch = z.output<typeof WebhookPatch>;
export type WebhookPayload = z.infer<typeof WebhookPayload>;
