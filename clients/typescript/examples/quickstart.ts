/**
 * An integrator's first afternoon, end to end:
 *   DUBAN_URL=http://localhost:3000 DUBAN_ADMIN_KEY=dbn_… DUBAN_AGENCY_KEY=dbn_… npx tsx clients/typescript/examples/quickstart.ts
 * It starts a webhook receiver on this machine, subscribes it to status changes (admin key), moves
 * one of the agency's tasks forward through the typed client (agency key), waits for the signed
 * webhook, verifies its signature, and removes the subscription again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDubanClient, type Schemas, unwrap, updateTask } from '../src/index.js';

export interface QuickstartOptions {
  baseUrl: string;
  adminKey: string;
  agencyKey: string;
  log?: (line: string) => void;
  /** How long to wait for the webhook. */
  timeoutMs?: number;
}

/** Standard Webhooks verification, by hand: HMAC-SHA256 over "<id>.<timestamp>.<raw body>" with the secret's key bytes. */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, rawBody: string, now = Date.now()): boolean {
  const [id, timestamp, signatures] = [headers['webhook-id'], headers['webhook-timestamp'], headers['webhook-signature']].map(String);
  if (Math.abs(now / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64'));
  return signatures!.split(' ').some((signature) => {
    const given = Buffer.from(signature.replace(/^v1,/, ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function runQuickstart({ baseUrl, adminKey, agencyKey, log = console.log, timeoutMs = 30_000 }: QuickstartOptions) {
  const admin = createDubanClient({ baseUrl, apiKey: adminKey });
  const agency = createDubanClient({ baseUrl, apiKey: agencyKey });

  const receiver = createServer();
  const received = new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve) => {
    receiver.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(204).end();
        resolve({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/duban`;

  try {
    const me = unwrap(await agency.GET('/v1/me'));
    log(`agency key for ${me.agencyName} (${me.agencyId})`);
    const subscription = unwrap(await admin.POST('/v1/webhooks', { body: { url: hookUrl, eventTypes: ['status_changed'], agencyId: me.agencyId } }));
    log(`subscribed ${hookUrl} as webhook ${subscription.id}`);

    try {
      const open = unwrap(await agency.GET('/v1/tasks', { params: { query: { agency: me.agencyId!, role: 'lead', status: 'not_started', limit: 1 } } }));
      const task = open.items[0];
      if (!task) throw new Error('this agency leads no task that has not started yet');
      const moved = await updateTask(agency, task.id, () => ({ status: 'in_progress', progress: 10 }));
      log(`moved ${moved.id} to ${moved.status} (version ${moved.version})`);

      const delivery = await Promise.race([
        received,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no webhook within ${timeoutMs} ms: is the dispatcher running (WEBHOOK_DISPATCH)?`)), timeoutMs).unref()),
      ]);
      const verified = verifySignature(subscription.secret, delivery.headers, delivery.body);
      const payload = JSON.parse(delivery.body) as Schemas['WebhookPayload'];
      log(`webhook ${payload.id}: ${payload.type} of ${payload.task.id} by ${payload.event.actor.agencyId}, signature ${verified ? 'valid' : 'INVALID'}`);
      return { task: moved, delivery, payload, verified };
    } finally {
      await admin.DELETE('/v1/webhooks/{id}', { params: { path: { id: subscription.id } } });
    }
  } finally {
    receiver.close();
    receiver.closeAllConnections();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { DUBAN_URL, DUBAN_ADMIN_KEY, DUBAN_AGENCY_KEY } = process.env;
  if (!DUBAN_URL || !DUBAN_ADMIN_KEY || !DUBAN_AGENCY_KEY) {
    console.error('set DUBAN_URL, DUBAN_ADMIN_KEY and DUBAN_AGENCY_KEY');
    process.exit(2);
  }
  const { verified } = await runQuickstart({ baseUrl: DUBAN_URL, adminKey: DUBAN_ADMIN_KEY, agencyKey: DUBAN_AGENCY_KEY });
  process.exit(verified ? 0 : 1);
}
