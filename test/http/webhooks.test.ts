import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createDispatcher } from '../../src/modules/webhooks/dispatcher.js';
import { getJson, setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { startReceiver } from '../helpers/receiver.js';
import { patchTask, postReport } from '../helpers/requests.js';

// The receivers in these tests listen on 127.0.0.1, which a default install refuses to call.
const LOCAL_TARGETS = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
const settings = (env: Record<string, string> = {}) => loadConfig({ WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_RETRY_MAX_MS: '600000', ...LOCAL_TARGETS, ...env }).webhooks;

t.test('subscriptions are managed by admins', async (t) => {
  const { app, key } = await setupApp(t);
  const admin = await key('admin');
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, authorization = admin) =>
    app.inject({ method, url, headers: { authorization }, ...(payload && { payload }) });

  const created = await call('POST', '/v1/webhooks', { url: 'https://portal.tj.gov.cn/hooks/duban', eventTypes: ['status_changed', 'verified'], agencyId: 'tj-hrss-bureau', description: '门户' });
  t.equal(created.statusCode, 201);
  const body = created.json();
  t.match(body, { id: /^[a-f0-9]{16}$/, status: 'active', eventTypes: ['status_changed', 'verified'], agencyId: 'tj-hrss-bureau', listId: null, consecutiveFailures: 0, secret: /^whsec_[A-Za-z0-9+/]{43}=$/ });
  const fetched = (await call('GET', `/v1/webhooks/${body.id}`)).json();
  t.equal(fetched.secret, undefined, 'the secret is shown once, at creation');
  t.same((await call('GET', '/v1/webhooks')).json().items.map((w: any) => w.id), [body.id]);

  const own = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
  t.equal((await call('POST', '/v1/webhooks', { url: 'https://hooks.example.org/duban', secret: own })).json().secret, own, 'an own secret is kept');

  for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://api.localhost/x', 'http://localhost.:8080/x', 'http://LOCALHOST.localdomain/x', 'http://ip6-localhost/x', 'http://ip6-loopback./x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.7/x']) {
    const refused = await call('POST', '/v1/webhooks', { url });
    t.equal(refused.statusCode, 400, `${url} is refused by default`);
    t.match(refused.json(), { errors: [{ path: 'url', message: /is not a public address/ }] });
  }
  t.equal((await call('POST', '/v1/webhooks', { url: 'http://[::1]/x' })).statusCode, 400, 'IPv6 literals are not taken as targets at all');
  for (const url of ['https://user:pw@hooks.example.org/x', 'https://token@hooks.example.org/x', 'https://hooks.example.org:0/x']) {
    const refused = await call('POST', '/v1/webhooks', { url });
    t.equal(refused.statusCode, 400, `${url}: credentials in the URL, or port 0, are refused`);
    t.notMatch(refused.body, /pw@/, 'and not echoed');
  }
  t.equal((await call('PATCH', `/v1/webhooks/${body.id}`, { url: 'http://10.0.0.7/x' })).statusCode, 400, 'on change too');

  const patched = await call('PATCH', `/v1/webhooks/${body.id}`, { status: 'disabled', listId: 'tj-2021-annex2' });
  t.match(patched.json(), { status: 'disabled', disabledReason: 'disabled by an administrator', listId: 'tj-2021-annex2' });
  t.match((await call('PATCH', `/v1/webhooks/${body.id}`, { status: 'active' })).json(), { status: 'active', disabledAt: null, disabledReason: null });

  for (const [label, payload] of [
    ['ftp URL', { url: 'ftp://portal.tj.gov.cn/x' }],
    ['not a URL', { url: 'portal' }],
    ['unknown event type', { url: 'https://a.example/x', eventTypes: ['deleted'] }],
    ['short secret', { url: 'https://a.example/x', secret: 'whsec_abc' }],
    ['unknown member', { url: 'https://a.example/x', retries: 3 }],
  ] as const) {
    const response = await call('POST', '/v1/webhooks', payload);
    t.equal(response.statusCode, 400, label);
  }
  const unknownList = await call('POST', '/v1/webhooks', { url: 'https://a.example/x', listId: 'no-such-list' });
  t.match(unknownList.json(), { status: 400, errors: [{ path: 'listId' }] }, 'a filter on a list that does not exist');
  t.equal((await call('PATCH', `/v1/webhooks/${body.id}`, {})).statusCode, 400, 'an empty patch');

  t.equal((await call('GET', '/v1/webhooks', undefined, await key('supervisor'))).statusCode, 403);
  t.equal((await call('POST', '/v1/webhooks', { url: 'https://a.example/x' }, await key('auditor'))).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks' })).statusCode, 401);

  t.equal((await call('DELETE', `/v1/webhooks/${body.id}`)).statusCode, 204);
  t.equal((await call('GET', `/v1/webhooks/${body.id}`)).statusCode, 404);
  t.equal((await call('DELETE', `/v1/webhooks/${body.id}`)).statusCode, 404);
  t.equal((await call('GET', '/v1/webhooks/0123456789abcdef/deliveries')).statusCode, 404);
  t.equal((await call('POST', `/v1/webhooks/0123456789abcdef/deliveries/1/redeliver`)).statusCode, 404);
});

t.test('the outbox: a delivery exists exactly when its event committed, for the subscriptions that want it', async (t) => {
  const { app, key } = await setupApp(t, LOCAL_TARGETS);
  const admin = await key('admin');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const supervisor = await key('supervisor');
  const subscribe = async (payload: object) =>
    (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x', ...payload } })).json().id as string;
  const deliveries = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=200`, headers: { authorization: admin } })).json().items as any[];
  const eventIds = async (id: string) => (await deliveries(id)).map((d) => d.eventId).sort((a, b) => a - b);

  const all = await subscribe({});
  const statusOnly = await subscribe({ eventTypes: ['status_changed'] });
  const annex1 = await subscribe({ listId: 'tj-2021-annex1' });
  const heping = await subscribe({ agencyId: 'tj-district-heping' });

  t.equal((await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'in_progress' })).status, 200); // event 59
  t.equal((await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'completed' })).status, 412, 'a refused write');
  const failedBatch = await app.inject({
    method: 'POST',
    url: '/v1/tasks:batch',
    headers: { authorization: hrss },
    payload: { items: [{ op: 'report', taskId: 'tj-2021-annex2-11', report: { note: '会回滚' } }, { op: 'update', taskId: 'tj-2021-annex2-44', ifMatch: '"1"', changes: { progress: 5 } }] },
  });
  t.equal(failedBatch.statusCode, 422, 'a rolled-back batch');
  t.equal((await postReport(app, hrss, 'tj-2021-annex2-11', { note: '月报' })).status, 201); // event 60
  const districtTask = (await getJson(app, '/v1/tasks?agency=tj-district-heping&list=tj-2021-annex2&limit=1')).body.items[0];
  t.equal((await patchTask(app, supervisor, districtTask.id, '"1"', { dueDate: '2026-12-31' })).status, 200); // event 61

  t.same(await eventIds(all), [59, 60, 61], 'one delivery per committed event; none for the refused or rolled-back writes');
  t.same(await eventIds(statusOnly), [59], 'event types filter');
  t.same(await eventIds(annex1), [], 'list filter');
  t.same(await eventIds(heping), [61], 'a district gets the events of 各区人民政府 tasks');
  t.match((await deliveries(all))[0], { status: 'pending', attempts: 0, log: [] });
});

t.test('deliveries are signed, retried with backoff, disable a failing subscription, and can be redelivered', async (t) => {
  const { app, key, database, clock } = await setupApp(t, LOCAL_TARGETS);
  const receiver = await startReceiver();
  t.teardown(receiver.stop);
  const admin = await key('admin');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const dispatcher = createDispatcher({
    db: database.handle.db,
    clock: () => clock.now,
    settings: settings({ WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_DISABLE_AFTER_FAILURES: '3' }),
    logger: app.log,
  });
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: receiver.url() } })).json();
  const deliveries = async () => (await app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries`, headers: { authorization: admin } })).json().items as any[];
  const webhook = async () => (await app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}`, headers: { authorization: admin } })).json();
  const advance = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  clock.now = new Date(); // the reference verifier checks the signature's timestamp against the wall clock

  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '第一次' });
  t.equal(await dispatcher.runOnce(), 1);
  const [request] = receiver.received;
  const payload = JSON.parse(request!.body);
  t.match(payload, {
    id: String((await deliveries())[0].id),
    type: 'progress_reported',
    subscriptionId: subscription.id,
    task: { id: 'tj-2021-annex2-27', listId: 'tj-2021-annex2', number: 27 },
    event: { id: 59, taskId: 'tj-2021-annex2-27', note: '第一次', actor: { agencyId: 'tj-hrss-bureau', role: 'agency', keyId: /^[a-z0-9]{12}$/ } },
  });
  t.same(new StandardWebhook(subscription.secret).verify(request!.body, request!.headers as Record<string, string>), payload, 'the reference Standard Webhooks library verifies the signature');
  t.throws(() => new StandardWebhook(subscription.secret).verify(request!.body.replace('第一次', '第二次'), request!.headers as Record<string, string>), 'a changed body fails verification');
  t.equal(request!.headers['webhook-timestamp'], String(Math.floor(clock.now.getTime() / 1000)));
  t.match((await deliveries())[0], { status: 'delivered', attempts: 1, lastStatusCode: 200, log: [{ statusCode: 200, error: null }] });

  receiver.respondWith(() => ({ status: 503, headers: { 'retry-after': '120' } }));
  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '第二次' });
  t.equal(await dispatcher.runOnce(), 1);
  let [latest] = await deliveries();
  t.match(latest, { status: 'pending', attempts: 1, lastStatusCode: 503, lastError: 'the receiver answered 503' });
  t.equal(latest.nextAttemptAt, new Date(clock.now.getTime() + 120_000).toISOString(), 'Retry-After outlasts the 60 s backoff');
  t.equal(await dispatcher.runOnce(), 0, 'nothing is due before then');
  advance(120_000);
  receiver.respondWith(() => ({ status: 500 }));
  t.equal(await dispatcher.runOnce(), 1);
  [latest] = await deliveries();
  t.match(latest, { status: 'failed', attempts: 2, nextAttemptAt: null, log: [{ statusCode: 503 }, { statusCode: 500 }] }, 'two attempts used: failed');
  t.match(await webhook(), { status: 'active', consecutiveFailures: 2 });

  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '第三次' });
  await dispatcher.runOnce();
  t.match(await webhook(), { status: 'disabled', consecutiveFailures: 3, disabledReason: /^3 failed attempts in a row; the last: the receiver answered 500/ });
  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '停用期间' });
  t.equal((await deliveries()).length, 3, 'a disabled subscription gets no new deliveries');

  const redelivered = await app.inject({ method: 'POST', url: `/v1/webhooks/${subscription.id}/deliveries/${latest.id}/redeliver`, headers: { authorization: admin } });
  t.equal(redelivered.statusCode, 202);
  t.match(redelivered.json(), { id: latest.id, status: 'pending', attempts: 0 });
  advance(600_000);
  t.equal(await dispatcher.runOnce(), 0, 'nothing is sent while the subscription is disabled');
  receiver.respondWith(() => ({ status: 204 }));
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${subscription.id}`, headers: { authorization: admin }, payload: { status: 'active' } });
  t.equal(await dispatcher.runOnce(), 2, 'once re-enabled: the redelivery and the pending third report');
  const ids = receiver.received.map((r) => r.headers['webhook-id']);
  t.equal(ids.filter((id) => id === String(latest.id)).length, 3, 'a redelivery keeps its webhook-id, for de-duplication');
  t.match((await deliveries()).map((d) => d.status), ['delivered', 'delivered', 'delivered']);
  t.equal((await webhook()).consecutiveFailures, 0);

  advance(31 * 86_400_000);
  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '一个月后' });
  t.equal(await dispatcher.pruneLog(), 3, 'finished deliveries past the 30-day retention are deleted');
  t.match(await deliveries(), [{ status: 'pending', attempts: 0 }], 'a pending one stays');
});

t.test('kill the receiver mid-stream and restart it: every event arrives, signed', async (t) => {
  const { app, key, database } = await setupApp(t, LOCAL_TARGETS);
  const receiver = await startReceiver();
  t.teardown(receiver.stop);
  const admin = await key('admin');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: receiver.url() } })).json();

  // Two dispatchers, as in two service processes; on PostgreSQL each has its own pool.
  const fast = settings({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_CONCURRENCY: '4' });
  const dispatchers = [createDispatcher({ db: database.handle.db, clock: () => new Date(), settings: fast, logger: app.log })];
  if (engine === 'postgres' && database.url) {
    const second = await openDatabase({ engine: 'postgres', url: database.url, poolMax: 4 });
    t.teardown(() => second.close());
    dispatchers.push(createDispatcher({ db: second.db, clock: () => new Date(), settings: fast, logger: app.log }));
  }
  for (const dispatcher of dispatchers) dispatcher.start();
  t.teardown(() => Promise.all(dispatchers.map((d) => d.stop())));

  const reports = ['tj-2021-annex2-11', 'tj-2021-annex2-27', 'tj-2021-annex2-44'];
  for (let i = 0; i < 30; i++) {
    if (i === 10) await receiver.stop();
    if (i === 20) await receiver.start();
    t.equal((await postReport(app, hrss, reports[i % 3]!, { note: `报告 ${i}` })).status, 201);
    await sleep(10);
  }
  const deadline = Date.now() + 20_000;
  const uniqueIds = () => new Set(receiver.received.map((r) => r.headers['webhook-id']));
  const deliveryLog = async () => (await app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries?limit=50`, headers: { authorization: admin } })).json().items as any[];
  const settled = async () => uniqueIds().size === 30 && (await deliveryLog()).every((d) => d.status === 'delivered');
  while (!(await settled()) && Date.now() < deadline) await sleep(50);

  const verifier = new StandardWebhook(subscription.secret);
  const events = receiver.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as any);
  t.same(
    [...new Set(events.map((e) => e.event.id))].sort((a, b) => a - b),
    Array.from({ length: 30 }, (_, i) => 59 + i),
    `all 30 events arrived with valid signatures (${receiver.received.length} requests for ${uniqueIds().size} deliveries)`,
  );
  const log = await deliveryLog();
  t.equal(log.length, 30);
  t.ok(
    log.some((d) => d.log.some((a: any) => a.statusCode === null && /ECONNREFUSED/.test(a.error))),
    'the log shows the attempts the dead receiver refused',
  );
  t.ok(
    log.every((d) => d.status === 'delivered'),
    'every delivery ends delivered',
  );
});

t.test(
  'a subscription deleted while a task write enqueues for it is skipped, not a failed write',
  { skip: engine === 'postgres' ? false : 'needs a second connection: the embedded engine runs one statement at a time' },
  async (t) => {
    const { app, key, database } = await setupApp(t, LOCAL_TARGETS);
    const admin = await key('admin');
    const hrss = await key('agency', 'tj-hrss-bureau');
    const doomed = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x' } })).json().id as string;
    const kept = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/y' } })).json().id as string;

    // Another session deletes the subscription and holds its transaction open while the write runs.
    const other = new pg.Client({ connectionString: database.url! });
    await other.connect();
    t.teardown(() => other.end());
    await other.query('begin');
    await other.query('delete from webhook_subscriptions where id = $1', [doomed]);
    const write = postReport(app, hrss, 'tj-2021-annex2-11', { note: '删除时写入' });
    await sleep(300);
    await other.query('commit');

    t.equal((await write).status, 201, 'the write waited for the deletion, then went on without it');
    const deliveries = (await app.inject({ method: 'GET', url: `/v1/webhooks/${kept}/deliveries`, headers: { authorization: admin } })).json().items;
    t.match(deliveries, [{ eventId: 59, status: 'pending' }], 'the other subscription got its delivery');
  },
);

t.test('without the switch, a name that resolves to a private address is refused at delivery, after DNS', async (t) => {
  const { app, key, database } = await setupApp(t, LOCAL_TARGETS);
  const receiver = await startReceiver();
  t.teardown(receiver.stop);
  const admin = await key('admin');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const byName = receiver.url().replace('127.0.0.1', 'localhost');
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: byName } })).json();
  const literal = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: receiver.url() } })).json();
  await postReport(app, hrss, 'tj-2021-annex2-27', { note: '内网' });

  // A dispatcher of a default install, which does not allow private targets.
  const strict = createDispatcher({ db: database.handle.db, clock: () => new Date(), settings: settings({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }), logger: app.log });
  t.equal(await strict.runOnce(), 2);
  t.same(receiver.received, [], 'nothing reached the receiver');
  const lastError = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries`, headers: { authorization: admin } })).json().items[0].lastError;
  t.match(await lastError(subscription.id), /^refused: localhost is (127\.0\.0\.1|::1), not a public address/);
  t.match(await lastError(literal.id), /^refused: 127\.0\.0\.1 is 127\.0\.0\.1, not a public address/);
});
