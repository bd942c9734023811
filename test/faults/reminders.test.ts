import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import t from 'tap';
import { addDays, utcDate } from '../../src/domain/task-state.js';
import { createTestDatabase, engine } from '../helpers/database.js';
import { startReceiver } from '../helpers/receiver.js';
import { bootstrapKey, mintKey, type Service, startService } from '../helpers/service.js';

const task = (n: number) => `tj-2021-annex2-${String(n).padStart(2, '0')}`;

async function until(condition: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

if (engine !== 'postgres') {
  t.comment('SKIPPED on PGlite: one embedded database per process (runs in the PostgreSQL half)');
} else {
  t.test('two processes schedule reminders on one PostgreSQL, one is killed and another started: each reminder is delivered once', async (t) => {
    const database = await createTestDatabase({ seed: false });
    await database.handle.close();
    t.teardown(() => database.drop());
    const receiver = await startReceiver();
    t.teardown(receiver.stop);
    const admin = bootstrapKey();
    const env = {
      DATABASE_URL: database.url!,
      BOOTSTRAP_ADMIN_KEY: admin,
      RATE_LIMIT_PER_MINUTE: '1000000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_POLL_MS: '50',
      REMINDER_POLL_MS: '100',
    };
    const services: Service[] = await Promise.all([startService(env), startService(env)]);
    t.teardown(() => services.forEach((service) => service.child.kill('SIGKILL')));
    const [first, second] = services as [Service, Service];
    const supervisor = await mintKey(first, admin, { role: 'supervisor', label: 'reminders' });
    const call = async (service: Service, method: string, path: string, authorization: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const subscription = (await call(first, 'POST', '/v1/webhooks', `Bearer ${admin}`, { url: receiver.url(), eventTypes: ['task.due_soon', 'task.overdue'], listId: 'tj-2021-annex2' })).body;
    const setDueDate = async (service: Service, id: string, dueDate: string) => {
      const current = await call(service, 'GET', `/v1/tasks/${id}`, supervisor);
      t.equal((await call(service, 'PATCH', `/v1/tasks/${id}`, supervisor, { dueDate }, { 'if-match': `"${current.body.version}"` })).status, 200, `${id} due ${dueDate}`);
    };
    const verifier = new StandardWebhook(subscription.secret);
    const keyOf = (payload: any) => `${payload.reminder.kind} ${payload.task.id} ${payload.reminder.occurrence}`;
    const receivedKeys = () => new Set(receiver.received.map((r) => keyOf(verifier.verify(r.body, r.headers as Record<string, string>))));
    const allDelivered = async (service: Service) =>
      (await call(service, 'GET', `/v1/webhooks/${subscription.id}/deliveries?limit=200`, `Bearer ${admin}`)).body.items.every((d: any) => d.status === 'delivered');

    const today = utcDate(new Date());
    const soon = addDays(today, 3);
    const late = addDays(today, -1);
    for (const n of [11, 27, 44]) await setDueDate(first, task(n), soon);
    for (const n of [42, 52]) await setDueDate(second, task(n), late);
    const firstRound = [...[11, 27, 44].map((n) => `task.due_soon ${task(n)} ${soon}`), ...[42, 52].map((n) => `task.overdue ${task(n)} ${late}`)];
    await until(async () => firstRound.every((key) => receivedKeys().has(key)) && (await allDelivered(second)), 'the first reminders');

    first.child.kill('SIGKILL');
    await first.exited;
    for (const n of [3, 30]) await setDueDate(second, task(n), soon);
    const third = await startService(env);
    services.push(third);
    const secondRound = [3, 30].map((n) => `task.due_soon ${task(n)} ${soon}`);
    await until(async () => secondRound.every((key) => receivedKeys().has(key)) && (await allDelivered(third)), 'the reminders after the restart');
    await sleep(1_500); // fifteen more passes of each scheduler, and thirty dispatcher polls

    const payloads = receiver.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as any);
    t.same([...receivedKeys()].sort(), [...firstRound, ...secondRound].sort(), 'every reminder due arrived, signed, and no other');
    t.equal(receiver.received.length, payloads.length);
    t.equal(new Set(payloads.map((p) => p.reminder.id)).size, 7, 'one reminder per task, kind and occurrence');
    t.equal(receiver.received.length, 7, `each delivered once (${receiver.received.length} requests)`);
    const auditor = await mintKey(second, admin, { role: 'auditor', label: 'reminders' });
    const feed = (await call(third, 'GET', '/v1/reminders?list=tj-2021-annex2&limit=200', auditor)).body.items;
    t.same(feed.map((r: any) => `${r.kind} ${r.taskId} ${r.occurrence}`).sort(), [...firstRound, ...secondRound].sort(), 'the feed holds each once');

    for (const service of [second, third]) service.child.kill('SIGTERM');
    t.same(await Promise.all([second.exited, third.exited]), [{ code: 0, signal: null }, { code: 0, signal: null }], 'both stop cleanly');
  });
}
