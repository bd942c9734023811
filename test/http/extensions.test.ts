import { sql } from 'drizzle-orm';
import t from 'tap';
import { appInstances, getJson, setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { patchTask } from '../helpers/requests.js';

const TASK = 'tj-2021-annex2-08'; // 市教委 leads, 市人社局 co-operates

t.test('延期申请: the lead unit asks, the office approves or refuses, the ledger keeps both', async (t) => {
  const context = await setupApp(t);
  const { app, key, clock, database } = context;
  const education = await key('agency', 'tj-education-commission');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const justice = await key('agency', 'tj-justice-bureau');
  const supervisor = await key('supervisor');
  const auditor = await key('auditor');
  const ask = (authorization: string, payload: unknown, taskId = TASK, idempotencyKey?: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/tasks/${taskId}/extension-requests`,
      headers: { authorization, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      payload: payload as object,
    });
  const decide = (authorization: string, id: string, payload: unknown) => app.inject({ method: 'POST', url: `/v1/extension-requests/${id}/decision`, headers: { authorization }, payload: payload as object });
  const task = async () => (await getJson(app, `/v1/tasks/${TASK}`)).body;
  const lastEvent = async () => (await getJson(app, `/v1/tasks/${TASK}/events?limit=200`)).body.items.at(-1);

  t.equal((await patchTask(app, supervisor, TASK, '"1"', { dueDate: '2026-03-31' })).status, 200, 'the office sets a due date');

  t.test('a task without a due date, or done, takes none', async (t) => {
    const none = await ask(hrss, { requestedDueDate: '2026-05-31', reason: '需要更多时间' }, 'tj-2021-annex2-44'); // 市人社局 leads 44
    t.equal(none.statusCode, 409);
    t.match(none.json(), { code: 'extension_not_open', detail: /no due date/ });
    t.equal((await patchTask(app, supervisor, 'tj-2021-annex2-11', '"1"', { dueDate: '2026-03-31' })).status, 200);
    t.equal((await patchTask(app, hrss, 'tj-2021-annex2-11', '"2"', { status: 'completed' })).status, 200);
    const done = await ask(hrss, { requestedDueDate: '2026-05-31', reason: '需要更多时间' }, 'tj-2021-annex2-11');
    t.equal(done.statusCode, 409);
    t.match(done.json(), { code: 'extension_not_open', detail: /completed/ });
  });

  t.test('only the lead unit asks', async (t) => {
    for (const [who, authorization] of [['a co unit', hrss], ['an unrelated unit', justice]] as const) {
      const response = await ask(authorization, { requestedDueDate: '2026-05-31', reason: '需要更多时间' });
      t.equal(response.statusCode, 403, who);
    }
    for (const authorization of [supervisor, auditor]) t.equal((await ask(authorization, { requestedDueDate: '2026-05-31', reason: 'x' })).statusCode, 403);
    t.equal((await ask(education, { requestedDueDate: '2026-03-31', reason: '同一天' })).statusCode, 400, 'not after the due date in force');
    t.equal((await ask(education, { requestedDueDate: '2026-05-31' })).statusCode, 400, 'a reason is required');
    t.equal((await ask(education, { requestedDueDate: '2026-05-31', reason: 'x', dueDate: '2026-06-01' })).statusCode, 400, 'unknown fields are refused');
    t.equal((await task()).version, 2, 'refused requests changed nothing');
  });

  let requestId = '';
  t.test('the request: a ledger event, visible on the task and in the inbox', async (t) => {
    const response = await ask(education, { requestedDueDate: '2026-05-31', reason: '配套资金尚未到位' }, TASK, 'ext-1');
    t.equal(response.statusCode, 201);
    const body = response.json();
    requestId = body.id;
    t.equal(response.headers.location, `/v1/extension-requests/${requestId}`);
    t.match(body, {
      taskId: TASK,
      status: 'pending',
      requestedDueDate: '2026-05-31',
      reason: '配套资金尚未到位',
      dueDateAtRequest: '2026-03-31',
      late: false,
      requestedAt: clock.now.toISOString(),
      requestedBy: { agencyId: 'tj-education-commission' },
      decision: null,
    });
    const replay = await ask(education, { requestedDueDate: '2026-05-31', reason: '配套资金尚未到位' }, TASK, 'ext-1');
    t.equal(replay.headers['idempotent-replayed'], 'true');
    t.same(replay.json(), body, 'a retry with the same Idempotency-Key gets the same answer');

    const event = await lastEvent();
    t.match(event, { id: body.requestEventId, type: 'extension_requested', changes: { requestedDueDate: { from: '2026-03-31', to: '2026-05-31' } }, note: '配套资金尚未到位' });
    t.match(await task(), { version: 3, dueDate: '2026-03-31', originalDueDate: null, pendingExtension: { requestId, requestedDueDate: '2026-05-31', late: false } });
    const pending = (await getJson(app, '/v1/tasks?extensionPending=true&limit=200')).body.items.map((item: { id: string }) => item.id);
    t.same(pending, [TASK]);
    t.notOk((await getJson(app, '/v1/tasks?extensionPending=false&limit=200')).body.items.some((item: { id: string }) => item.id === TASK));

    const again = await ask(education, { requestedDueDate: '2026-06-30', reason: '再延' });
    t.equal(again.statusCode, 409);
    t.match(again.json(), { code: 'extension_pending' });

    t.same((await getJson(app, '/v1/extension-requests?status=pending', supervisor)).body.items.map((r: { id: string }) => r.id), [requestId], 'the office’s inbox');
    t.same((await getJson(app, '/v1/extension-requests', hrss)).body.items.map((r: { id: string }) => r.id), [requestId], 'a co unit of the task sees it');
    t.same((await getJson(app, '/v1/extension-requests', justice)).body.items, [], 'an unrelated unit sees none');
    t.equal((await getJson(app, `/v1/extension-requests/${requestId}`, justice)).status, 403);
    t.equal((await getJson(app, '/v1/extension-requests/0123456789abcdef', supervisor)).status, 404);
    t.same((await getJson(app, `/v1/extension-requests?task=${TASK}&list=tj-2021-annex2&agency=tj-hrss-bureau`, auditor)).body.items.length, 1);
    t.same((await getJson(app, '/v1/extension-requests?list=tj-2021-annex1', auditor)).body.items, []);
  });

  const pendingAt = new Date(clock.now);
  t.test('the office approves another date; the due date in force moves, the original is kept', async (t) => {
    clock.now = new Date('2026-03-05T09:00:00Z');
    t.equal((await decide(education, requestId, { decision: 'approved' })).statusCode, 403, 'units do not decide');
    t.equal((await decide(auditor, requestId, { decision: 'approved' })).statusCode, 403);
    t.equal((await decide(supervisor, requestId, { decision: 'refused' })).statusCode, 400, 'a refusal needs a note');
    t.equal((await decide(supervisor, requestId, { decision: 'approved', dueDate: '2026-03-20' })).statusCode, 400, 'an approval moves the date later');

    const response = await decide(supervisor, requestId, { decision: 'approved', dueDate: '2026-04-30', note: '同意延期一个月' });
    t.equal(response.statusCode, 200);
    t.match(response.json(), { status: 'approved', decision: { at: clock.now.toISOString(), note: '同意延期一个月', approvedDueDate: '2026-04-30' } });
    t.match(await lastEvent(), {
      type: 'extension_approved',
      changes: { dueDate: { from: '2026-03-31', to: '2026-04-30' }, originalDueDate: { from: null, to: '2026-03-31' } },
      state: { dueDate: '2026-04-30', originalDueDate: '2026-03-31' },
      note: '同意延期一个月',
    });
    t.match(await task(), { dueDate: '2026-04-30', originalDueDate: '2026-03-31', pendingExtension: null });
    t.same((await getJson(app, '/v1/tasks?extended=true&limit=200')).body.items.map((item: { id: string }) => item.id), [TASK]);
    const twice = await decide(supervisor, requestId, { decision: 'refused', note: '改主意' });
    t.equal(twice.statusCode, 409);
    t.match(twice.json(), { code: 'extension_decided', requestStatus: 'approved' });

    clock.now = new Date('2026-04-10T09:00:00Z');
    t.match(await task(), { overdue: false }, 'past the original due date, within the approved one: not overdue');
  });

  t.test('a late request is marked, and refused with a note', async (t) => {
    clock.now = new Date('2026-05-03T09:00:00Z');
    t.match(await task(), { overdue: true, health: 'red' });
    const response = await ask(education, { requestedDueDate: '2026-06-30', reason: '逾期后补申请' });
    t.equal(response.statusCode, 201);
    t.match(response.json(), { late: true, dueDateAtRequest: '2026-04-30' });
    const refused = await decide(supervisor, response.json().id, { decision: 'refused', note: '已逾期，不予延期' });
    t.equal(refused.statusCode, 200);
    t.match(refused.json(), { status: 'refused', decision: { approvedDueDate: null, note: '已逾期，不予延期' } });
    t.match(await lastEvent(), { type: 'extension_refused', changes: {}, note: '已逾期，不予延期' });
    t.match(await task(), { dueDate: '2026-04-30', originalDueDate: '2026-03-31', overdue: true, pendingExtension: null });
  });

  t.test('a list that refuses late requests refuses them', async (t) => {
    await database.handle.db.execute(sql`update task_lists set late_extension_requests = 'refuse' where id = 'tj-2021-annex2'`);
    t.match((await getJson(app, '/v1/task-lists/tj-2021-annex2')).body, { lateExtensionRequests: 'refuse' });
    const response = await ask(education, { requestedDueDate: '2026-07-31', reason: '逾期' });
    t.equal(response.statusCode, 409);
    t.match(response.json(), { code: 'extension_not_open', detail: /has passed/ });
    const exported = (await getJson(app, '/v1/documents/tj-2021/export', await key('admin'))).body;
    t.match(exported.lists.find((list: { id: string }) => list.id === 'tj-2021-annex2'), { lateExtensionRequests: 'refuse' }, 'the export carries the policy');
    await database.handle.db.execute(sql`update task_lists set late_extension_requests = 'mark_late' where id = 'tj-2021-annex2'`);
  });

  t.test('a due date the office cleared meanwhile: the approval sets one, and there is no original to keep', async (t) => {
    const other = 'tj-2021-annex2-27'; // 市人社局 leads
    const version = async () => (await getJson(app, `/v1/tasks/${other}`)).body.version;
    t.equal((await patchTask(app, supervisor, other, `"${await version()}"`, { dueDate: '2026-06-30' })).status, 200);
    const asked = await ask(hrss, { requestedDueDate: '2026-08-31', reason: '待协调' }, other);
    t.equal(asked.statusCode, 201);
    t.equal((await patchTask(app, supervisor, other, `"${await version()}"`, { dueDate: null })).status, 200);
    t.equal((await decide(supervisor, asked.json().id, { decision: 'approved' })).statusCode, 200);
    t.match((await getJson(app, `/v1/tasks/${other}`)).body, { dueDate: '2026-08-31', originalDueDate: null });
    const events = (await getJson(app, `/v1/tasks/${other}/events`)).body.items;
    t.same(events.at(-1).changes, { dueDate: { from: null, to: '2026-08-31' } }, 'no original due date recorded from nothing');
  });

  t.test('the summary counts extensions as of any moment', async (t) => {
    t.match((await getJson(app, '/v1/reports/summary')).body.extensions, { extendedTasks: 1, daysAdded: 30, pendingRequests: 0 });
    t.match((await getJson(app, `/v1/reports/summary?asOf=${pendingAt.toISOString()}`)).body.extensions, { extendedTasks: 0, daysAdded: 0, pendingRequests: 1 }, 'while the first request waited');
    t.match((await getJson(app, '/v1/reports/summary?asOf=2026-04-01')).body.extensions, { extendedTasks: 1, daysAdded: 30, pendingRequests: 0 });
    t.match((await getJson(app, '/v1/reports/summary?list=tj-2021-annex1')).body.extensions, { extendedTasks: 0, pendingRequests: 0 }, 'scoped like the counts');
  });

  t.test('the ledger verifies after all of it', async (t) => {
    t.match((await getJson(app, '/v1/audit/verify', auditor)).body, { ok: true });
  });

  t.test('two requests at once: one is taken, the other is told one is pending', { skip: engine !== 'postgres' && 'needs two connection pools' }, async (t) => {
    const [one, two] = await appInstances(t, context);
    const other = 'tj-2021-annex2-09';
    const lead = (await getJson(app, `/v1/tasks/${other}`)).body.assignments[0].agencyId;
    const leadKey = await key('agency', lead);
    const current = (await getJson(app, `/v1/tasks/${other}`)).body.version;
    t.equal((await patchTask(app, supervisor, other, `"${current}"`, { dueDate: '2026-06-30' })).status, 200);
    const asks = await Promise.all(
      [one!, two!].map((instance) =>
        instance.inject({ method: 'POST', url: `/v1/tasks/${other}/extension-requests`, headers: { authorization: leadKey }, payload: { requestedDueDate: '2026-08-31', reason: '并发' } }),
      ),
    );
    t.same(asks.map((r) => r.statusCode).sort(), [201, 409]);
  });
});
