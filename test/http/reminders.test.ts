import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { reminders, tasks, webhookDeliveries } from '../../src/db/schema/index.js';
import { dueReminder } from '../../src/domain/reminders.js';
import { createReminderScheduler } from '../../src/modules/reminders/scheduler.js';
import { createDispatcher } from '../../src/modules/webhooks/dispatcher.js';
import { appInstances, getJson, setupApp, type TestContext } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { setTaskState } from '../helpers/factories.js';
import { startReceiver } from '../helpers/receiver.js';
import { patchTask } from '../helpers/requests.js';

const LOCAL_TARGETS = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
const task = (n: number) => `tj-2021-annex2-${String(n).padStart(2, '0')}`;

function schedulerOf({ app, database, clock }: TestContext, env: Record<string, string> = {}, db = database.handle.db) {
  return createReminderScheduler({ db, clock: () => clock.now, settings: loadConfig(env).reminders, logger: app.log });
}

t.test('which reminder a task is due, as a plain function', async (t) => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const open = { status: 'in_progress' as const, childCount: 0 };
  t.same(dueReminder({ ...open, dueDate: '2026-03-09' }, now, 7), null, 'eight days ahead: not yet');
  t.same(dueReminder({ ...open, dueDate: '2026-03-08' }, now, 7), { kind: 'task.due_soon', occurrence: '2026-03-08' }, 'seven days ahead: the first day of the window');
  t.same(dueReminder({ ...open, dueDate: '2026-03-01' }, now, 7), { kind: 'task.due_soon', occurrence: '2026-03-01' }, 'due today: still due soon, not overdue');
  t.same(dueReminder({ ...open, dueDate: '2026-02-28' }, now, 7), { kind: 'task.overdue', occurrence: '2026-02-28' }, 'due yesterday: overdue');
  t.same(dueReminder({ ...open, dueDate: '2026-03-01' }, new Date('2026-03-01T23:59:59.999Z'), 7)?.kind, 'task.due_soon', 'the last instant of the due date (UTC)');
  t.same(dueReminder({ ...open, dueDate: '2026-03-01' }, new Date('2026-03-02T00:00:00.000Z'), 7)?.kind, 'task.overdue', 'overdue from the first instant of the next day');
  t.same(dueReminder({ ...open, dueDate: '2026-03-01' }, now, 0)?.kind, 'task.due_soon', 'REMINDER_DUE_SOON_DAYS=0: on the day itself');
  t.same(dueReminder({ ...open, dueDate: '2026-03-02' }, now, 0), null, 'REMINDER_DUE_SOON_DAYS=0: not the day before');
  t.same(dueReminder({ ...open, dueDate: null }, now, 7), null, 'no due date, no reminder');
  for (const status of ['completed', 'verified'] as const) {
    t.same(dueReminder({ status, childCount: 0, dueDate: '2026-02-01' }, now, 7), null, `${status}: none`);
  }
  t.same(dueReminder({ status: 'not_started', childCount: 0, dueDate: '2026-02-01' }, now, 7)?.kind, 'task.overdue', 'not started counts as open');
  t.same(dueReminder({ ...open, childCount: 2, dueDate: '2026-03-03' }, now, 7), null, 'a parent: none (its work items are reminded)');
  t.not(dueReminder({ ...open, dueDate: '2026-03-03' }, now, 7)?.occurrence, dueReminder({ ...open, dueDate: '2026-03-05' }, now, 7)?.occurrence, 'a new due date is a new occurrence');
});

t.test('a pass fires each due reminder once, with its deliveries, and moves no version; a new due date fires anew', async (t) => {
  const context = await setupApp(t, LOCAL_TARGETS);
  const { app, key, database, clock } = context;
  const db = database.handle.db;
  const admin = await key('admin');
  const supervisor = await key('supervisor');
  const subscribe = async (payload: object) =>
    (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x', ...payload } })).json().id as string;
  const all = await subscribe({});
  const dueSoonOnly = await subscribe({ eventTypes: ['task.due_soon'] });
  const eventsOnly = await subscribe({ eventTypes: ['status_changed'] });
  const annex1 = await subscribe({ listId: 'tj-2021-annex1' });
  const heping = await subscribe({ agencyId: 'tj-district-heping' });
  const deliveries = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=200`, headers: { authorization: admin } })).json().items as any[];
  const fired = async () => (await getJson(app, '/v1/reminders?limit=200')).body.items.map((r: any) => `${r.kind} ${r.taskId} ${r.occurrence}`);

  await setTaskState(db, task(11), { dueDate: '2026-03-05' }); // due soon
  await setTaskState(db, task(27), { dueDate: '2026-02-20' }); // overdue
  await setTaskState(db, task(44), { dueDate: '2026-04-30' }); // not yet
  await setTaskState(db, task(42), { dueDate: '2026-03-03', status: 'completed' }); // done
  await setTaskState(db, task(52), { dueDate: '2026-03-08' }); // 各区人民政府's, the window's first day
  await setTaskState(db, task(30), { dueDate: '2026-03-02' });
  await db.update(tasks).set({ childCount: 1 }).where(eq(tasks.id, task(30))); // stands for a parent
  const before = (await getJson(app, `/v1/tasks/${task(11)}`)).body;

  const scheduler = schedulerOf(context);
  t.equal(await scheduler.runOnce(), 3, 'three tasks are due a reminder');
  t.same(await fired(), ['task.due_soon tj-2021-annex2-11 2026-03-05', 'task.overdue tj-2021-annex2-27 2026-02-20', 'task.due_soon tj-2021-annex2-52 2026-03-08']);
  t.equal(await scheduler.runOnce(), 0, 'a second pass fires nothing');
  const after = await getJson(app, `/v1/tasks/${task(11)}`);
  t.equal(after.body.version, before.version, 'a reminder is no change to the task: same version');
  t.equal(after.body.updatedAt, before.updatedAt);
  t.equal((await getJson(app, `/v1/tasks/${task(11)}/events`)).body.items.length, 1, 'and no ledger event');

  const allDeliveries = await deliveries(all);
  t.equal(allDeliveries.length, 3, 'one delivery per reminder');
  t.ok(
    allDeliveries.every((d) => d.eventId === null && Number.isInteger(d.reminderId)),
    'each names its reminder, not an event',
  );
  t.equal((await deliveries(dueSoonOnly)).length, 2, 'eventTypes filters reminder kinds');
  t.equal((await deliveries(eventsOnly)).length, 0, 'a subscription to event types only gets no reminders');
  t.equal((await deliveries(annex1)).length, 0, 'list filter');
  t.same(
    (await deliveries(heping)).map((d) => d.reminderId).sort(),
    (await getJson(app, `/v1/reminders?agency=tj-district-heping`)).body.items.map((r: any) => r.id).sort(),
    'agency filter: a district gets the reminders of 各区人民政府 tasks (27, 52)',
  );
  t.equal((await deliveries(heping)).length, 2);

  clock.now = new Date('2026-03-06T00:00:00.000Z');
  t.equal(await scheduler.runOnce(), 1, 'the day after its due date task 11 is overdue');
  t.equal(await scheduler.runOnce(), 0);
  t.match(await fired(), [/./, /./, /./, 'task.overdue tj-2021-annex2-11 2026-03-05']);

  const current = (await getJson(app, `/v1/tasks/${task(11)}`)).body;
  t.equal((await patchTask(app, supervisor, task(11), `"${current.version}"`, { dueDate: '2026-03-10' })).status, 200);
  t.equal(await scheduler.runOnce(), 1, 'a new due date inside the window: its due-soon reminder at once');
  t.equal((await fired()).at(-1), 'task.due_soon tj-2021-annex2-11 2026-03-10');
  t.equal((await patchTask(app, supervisor, task(11), `"${current.version + 1}"`, { dueDate: '2026-03-05' })).status, 200);
  t.equal(await scheduler.runOnce(), 0, 'back to the earlier date: it never fires twice');
  await setTaskState(db, task(44), { dueDate: '2026-03-01' });
  t.equal(await scheduler.runOnce(), 1, 'given a due date that has already passed: the overdue notice only');
  t.equal((await fired()).at(-1), 'task.overdue tj-2021-annex2-44 2026-03-01');
  t.equal((await db.select().from(reminders)).length, 6);
  t.equal((await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, all))).length, 6 + 2, 'every reminder and the two due-date events, once each');
});

t.test('passes run at once, from two app instances on PostgreSQL: each reminder fires once', async (t) => {
  const context = await setupApp(t, LOCAL_TARGETS);
  const { app, key, database } = context;
  const admin = await key('admin');
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x' } })).json().id as string;
  const ids = Array.from({ length: 40 }, (_, i) => task(i + 1));
  await setTaskState(database.handle.db, ids.slice(0, 20), { dueDate: '2026-03-04' });
  await setTaskState(database.handle.db, ids.slice(20), { dueDate: '2026-01-31' });
  const instances = await appInstances(t, context);
  const schedulers = instances.map((instance) => schedulerOf(context, {}, instance.deps.db));
  const counts = await Promise.all(schedulers.flatMap((scheduler) => [scheduler.runOnce(), scheduler.runOnce(), scheduler.runOnce()]));
  t.equal(
    counts.reduce((a, b) => a + b, 0),
    40,
    `${instances.length} instance(s), six passes at once: 40 reminders fired in all`,
  );
  const rows = await database.handle.db.select().from(reminders);
  t.equal(rows.length, 40);
  t.equal(new Set(rows.map((row) => row.taskId)).size, 40, 'one per task');
  const delivered = await database.handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription));
  t.same(
    delivered.map((d) => d.reminderId).sort((a, b) => a! - b!),
    rows.map((row) => row.id).sort((a, b) => a - b),
    'one delivery per reminder',
  );
  t.equal(await schedulers.at(-1)!.runOnce(), 0, 'nothing is left');
});

t.test(
  'a reminder another session inserts while a pass runs: the unique key makes the pass skip it, with no delivery',
  { skip: engine === 'postgres' ? false : 'needs a second connection: the embedded engine runs one statement at a time' },
  async (t) => {
    const context = await setupApp(t, LOCAL_TARGETS);
    const { app, key, database } = context;
    const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: await key('admin') }, payload: { url: 'http://127.0.0.1:9/x' } })).json().id as string;
    await setTaskState(database.handle.db, task(11), { dueDate: '2026-03-05' });
    // Another session fires the same reminder and holds its transaction open: the pass cannot see
    // the row, decides the reminder is due, and its insert waits on the unique key.
    const other = new pg.Client({ connectionString: database.url! });
    await other.connect();
    t.teardown(() => other.end());
    await other.query('begin');
    await other.query(`insert into reminders (task_id, kind, occurrence, due_date, fired_at) values ($1, 'task.due_soon', '2026-03-05', '2026-03-05', now())`, [task(11)]);
    const pass = schedulerOf(context).runOnce();
    await sleep(300);
    await other.query('commit');
    t.equal(await pass, 0, 'the pass fired nothing');
    t.equal((await database.handle.db.select().from(reminders)).length, 1, 'one reminder');
    t.equal((await database.handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription))).length, 0, 'and the pass enqueued no delivery for it');
  },
);

t.test('a reminder is delivered signed, its payload the reminder', async (t) => {
  const context = await setupApp(t, LOCAL_TARGETS);
  const { app, key, database, clock } = context;
  const receiver = await startReceiver();
  t.teardown(receiver.stop);
  const admin = await key('admin');
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: receiver.url() } })).json();
  clock.now = new Date(); // the reference verifier checks the signature's timestamp against the wall clock
  await setTaskState(database.handle.db, task(44), { dueDate: new Date(clock.now.getTime() + 2 * 86_400_000).toISOString().slice(0, 10) });
  t.equal(await schedulerOf(context).runOnce(), 1);
  const dispatcher = createDispatcher({ db: database.handle.db, clock: () => clock.now, settings: loadConfig(LOCAL_TARGETS).webhooks, logger: app.log });
  t.equal(await dispatcher.runOnce(), 1);
  const [request] = receiver.received;
  const payload = new StandardWebhook(subscription.secret).verify(request!.body, request!.headers as Record<string, string>);
  const [reminder] = (await getJson(app, '/v1/reminders')).body.items;
  t.same(Object.keys(payload as object), ['id', 'type', 'subscriptionId', 'task', 'reminder'], 'the reference library verifies the signature');
  t.same(payload, {
    id: request!.headers['webhook-id'],
    type: 'task.due_soon',
    subscriptionId: subscription.id,
    task: { id: task(44), listId: 'tj-2021-annex2', number: 44 },
    reminder,
  });
  t.match(reminder, { kind: 'task.due_soon', taskId: task(44), listId: 'tj-2021-annex2', occurrence: reminder.dueDate, firedAt: clock.now.toISOString() });
  t.match((await app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries`, headers: { authorization: admin } })).json().items, [
    { status: 'delivered', eventId: null, reminderId: reminder.id },
  ]);

  // An event's body keeps its shape now that reminders share the outbox.
  const urged = await app.inject({ method: 'POST', url: `/v1/tasks/${task(44)}/urge`, headers: { authorization: await key('supervisor') }, payload: { note: '请加快推进' } });
  t.equal(await dispatcher.runOnce(), 1);
  const eventRequest = receiver.received[1]!;
  const [delivery] = (await app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries`, headers: { authorization: admin } })).json().items;
  const eventPayload = JSON.parse(eventRequest.body);
  t.same(Object.keys(eventPayload), ['id', 'type', 'subscriptionId', 'task', 'event']);
  t.same(eventPayload, { id: String(delivery.id), type: 'urged', subscriptionId: subscription.id, task: { id: task(44), listId: 'tj-2021-annex2', number: 44 }, event: urged.json().event });
  t.ok(new StandardWebhook(subscription.secret).verify(eventRequest.body, eventRequest.headers as Record<string, string>), 'the urge, delivered signed');
});

t.test('the feed: who sees what, filters, cursor', async (t) => {
  const context = await setupApp(t);
  const { app, key, database } = context;
  await setTaskState(database.handle.db, [task(11), task(42), task(52), task(30)], { dueDate: '2026-03-02' });
  await setTaskState(database.handle.db, [task(27)], { dueDate: '2026-02-02' });
  await setTaskState(database.handle.db, ['tj-2021-annex1-01'], { dueDate: '2026-03-02' });
  t.equal(await schedulerOf(context).runOnce(), 6);
  const taskIds = (body: any) => body.items.map((r: any) => r.taskId);

  const everything = (await getJson(app, '/v1/reminders')).body;
  t.same(taskIds(everything), ['tj-2021-annex1-01', task(11), task(27), task(30), task(42), task(52)], 'auditors see all, in the order fired (task id within a pass)');
  t.ok(
    everything.items.every((r: any, i: number) => i === 0 || r.id > everything.items[i - 1].id),
    'ids increase',
  );
  t.same(taskIds((await getJson(app, '/v1/reminders', await key('supervisor'))).body).length, 6, 'supervisors see all');
  t.same(taskIds((await getJson(app, '/v1/reminders', await key('agency', 'tj-hrss-bureau'))).body), [task(11), task(27), task(42)], '市人社局: the tasks it leads or co-operates on');
  t.same(taskIds((await getJson(app, '/v1/reminders', await key('agency', 'tj-district-heping'))).body), [task(27), task(52)], 'a district: 各区人民政府 tasks');
  t.same(taskIds((await getJson(app, '/v1/reminders?agency=tj-education-commission', await key('agency', 'tj-hrss-bureau'))).body), [task(27), task(42)], 'an agency key’s own scope and the filter, together');
  t.equal((await getJson(app, '/v1/reminders', await key('admin'))).status, 403, 'admins change keys, not read task follow-up');
  t.equal((await app.inject({ method: 'GET', url: '/v1/reminders' })).statusCode, 401);

  t.same(taskIds((await getJson(app, '/v1/reminders?kind=task.overdue')).body), [task(27)], 'kind');
  t.same(taskIds((await getJson(app, '/v1/reminders?list=tj-2021-annex1')).body), ['tj-2021-annex1-01'], 'list');
  t.same(taskIds((await getJson(app, '/v1/reminders?agency=tj-district-heping')).body), [task(27), task(52)], 'agency, through its group');
  t.same(taskIds((await getJson(app, `/v1/reminders?since=${everything.items[3].id}`)).body), [task(42), task(52)], 'since the last id received');

  const paged: string[] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const page: any = (await getJson(app, `/v1/reminders?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).body;
    paged.push(...taskIds(page));
    cursor = page.nextCursor;
  }
  t.same(paged, taskIds(everything), 'following nextCursor neither skips nor repeats');
  for (const query of ['kind=task.missing', 'since=-1', 'cursor=bm9wZQ', 'limit=0', 'colour=red', 'agency=Not_An_Id']) {
    const response = await getJson(app, `/v1/reminders?${query}`);
    t.equal(response.status, 400, query);
    t.equal(response.body.code, 'validation_failed');
  }
});

t.test('urging a unit (催办): supervisor only, a note, one of the task’s units, a ledger event and a webhook', async (t) => {
  const { app, key } = await setupApp(t, LOCAL_TARGETS);
  const supervisor = await key('supervisor');
  const admin = await key('admin');
  const urged = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] } })).json().id as string;
  const urge = (id: string, payload: object | undefined, authorization: string | null = supervisor, idempotencyKey?: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/tasks/${id}/urge`,
      headers: { ...(authorization && { authorization }), ...(idempotencyKey && { 'idempotency-key': idempotencyKey }) },
      ...(payload && { payload }),
    });

  const before = (await getJson(app, `/v1/tasks/${task(42)}`)).body;
  const lead = await urge(task(42), { note: '请于本月底前报送进展' });
  t.equal(lead.statusCode, 201);
  t.match(lead.json(), {
    task: { id: task(42), version: before.version + 1 },
    event: { type: 'urged', taskId: task(42), note: '请于本月底前报送进展', changes: { urgedAgencyId: { from: null, to: 'tj-education-commission' } }, actor: { role: 'supervisor' } },
  });
  t.same(lead.json().event.state, (await getJson(app, `/v1/tasks/${task(42)}/events`)).body.items[0].state, 'the state is unchanged');
  const co = await urge(task(42), { note: '配合单位请同步报送', agencyId: 'tj-hrss-bureau' });
  t.match(co.json(), { event: { changes: { urgedAgencyId: { to: 'tj-hrss-bureau' } } } }, 'a co unit, named');
  t.same(
    (await getJson(app, `/v1/tasks/${task(42)}/events`)).body.items.map((e: any) => e.type),
    ['created', 'urged', 'urged'],
    'in the task’s history',
  );
  const deliveries = (await app.inject({ method: 'GET', url: `/v1/webhooks/${urged}/deliveries`, headers: { authorization: admin } })).json().items as any[];
  t.same(
    deliveries.map((d) => d.eventId).sort(),
    [lead.json().event.id, co.json().event.id].sort(),
    'each urge is delivered to webhooks like any event',
  );

  const unassigned = await urge(task(42), { note: '催办', agencyId: 'tj-justice-bureau' });
  t.equal(unassigned.statusCode, 400, 'a unit the task does not name');
  t.match(unassigned.json(), { code: 'validation_failed', errors: [{ location: 'body', path: 'agencyId' }] });
  t.match((await urge(task(42), { note: '催办', agencyId: 'no-such-agency' })).json(), { status: 400, errors: [{ path: 'agencyId' }] }, 'an agency that does not exist');
  t.equal((await urge('tj-2021-annex2-99', { note: '催办' })).statusCode, 404, 'an unknown task');
  for (const [label, payload] of [
    ['no note', {}],
    ['an empty note', { note: '  ' }],
    ['no body', undefined],
    ['an unknown member', { note: '催办', deadline: '2026-03-31' }],
  ] as const) {
    const response = await urge(task(42), payload);
    t.equal(response.statusCode, 400, label);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
  }
  t.equal((await urge(task(42), { note: '催办' }, null)).statusCode, 401);
  for (const [role, agency] of [['admin'], ['auditor'], ['agency', 'tj-education-commission']] as const) {
    t.equal((await urge(task(42), { note: '催办' }, await key(role, agency))).statusCode, 403, `${role} may not urge`);
  }

  const first = await urge(task(44), { note: '请加快推进' }, supervisor, 'urge-44-1');
  const replay = await urge(task(44), { note: '请加快推进' }, supervisor, 'urge-44-1');
  t.equal(replay.statusCode, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.json().event.id, first.json().event.id, 'a retry gets the first answer');
  t.equal((await urge(task(44), { note: '另一条' }, supervisor, 'urge-44-1')).statusCode, 422, 'the same key with another body');
  t.equal((await getJson(app, `/v1/tasks/${task(44)}/events`)).body.items.length, 2, 'one urge recorded');
  t.match((await getJson(app, '/v1/audit/verify')).body, { ok: true }, 'the chains verify');
});

t.test('REMINDER_* settings are validated', async (t) => {
  t.match(loadConfig({}).reminders, { schedule: true, pollMs: 60_000, dueSoonDays: 7 });
  t.match(loadConfig({ REMINDER_SCHEDULE: 'false', REMINDER_POLL_MS: '50', REMINDER_DUE_SOON_DAYS: '3' }).reminders, { schedule: false, pollMs: 50, dueSoonDays: 3 });
  t.throws(() => loadConfig({ REMINDER_DUE_SOON_DAYS: '-1' }), /REMINDER_DUE_SOON_DAYS/);
});
