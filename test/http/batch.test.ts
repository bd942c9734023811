import t from 'tap';
import { appInstances, getJson, setupApp } from '../helpers/app.js';

const annex2 = (n: number) => `tj-2021-annex2-${String(n).padStart(2, '0')}`;

t.test('batch updates and reports', async (t) => {
  const { app, key } = await setupApp(t);
  const hrss = await key('agency', 'tj-hrss-bureau'); // leads 11, 27 and 44
  const supervisor = await key('supervisor');
  const batch = (authorization: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/tasks:batch', headers: { authorization, ...headers }, payload: payload as object });
  const versionOf = async (n: number) => (await getJson(app, `/v1/tasks/${annex2(n)}`)).body.version as number;
  const ledgerPosition = async () => (await getJson(app, '/v1/audit/root')).body.position as number;

  t.test('atomic: a monthly report on several tasks, and a status change, in one request', async (t) => {
    const before = await ledgerPosition();
    const response = await batch(hrss, {
      items: [
        { op: 'report', taskId: annex2(11), report: { note: '10月进展', progress: 40 } },
        { op: 'report', taskId: annex2(27), ifMatch: '"1"', report: { note: '10月进展', evidence: ['https://hrss.tj.gov.cn/a'] } },
        { op: 'update', taskId: annex2(44), ifMatch: '"1"', changes: { status: 'in_progress', progress: 30 } },
        { op: 'update', taskId: annex2(44), ifMatch: '"2"', changes: { status: 'completed' } },
      ],
    });
    t.equal(response.statusCode, 200);
    const body = response.json();
    t.match(body, { mode: 'atomic', applied: 4, failed: 0 });
    t.same(
      body.results.map((r: any) => [r.index, r.taskId, r.status, r.task.version]),
      [
        [0, annex2(11), 201, 2],
        [1, annex2(27), 201, 2],
        [2, annex2(44), 200, 2],
        [3, annex2(44), 200, 3],
      ],
      'later items build on earlier ones for the same task',
    );
    t.match(body.results[0].event, { type: 'progress_reported', note: '10月进展', actor: { agencyId: 'tj-hrss-bureau' } });
    t.equal(body.results[3].task.status, 'completed');
    t.equal((await ledgerPosition()) - before, 4, 'one ledger event per item');
  });

  t.test('atomic: one failing item and nothing is applied', async (t) => {
    const before = { position: await ledgerPosition(), v11: await versionOf(11), v27: await versionOf(27) };
    const response = await batch(hrss, {
      mode: 'atomic',
      items: [
        { op: 'report', taskId: annex2(11), report: { note: '又一次' } },
        { op: 'update', taskId: annex2(27), ifMatch: '"1"', changes: { progress: 50 } },
      ],
    });
    t.equal(response.statusCode, 422);
    t.match(response.headers['content-type'], /application\/problem\+json/);
    t.match(response.json(), {
      code: 'batch_failed',
      detail: /^Item 1 \(update tj-2021-annex2-27\) failed, so nothing was applied: The task is at version 2, not 1/,
      failedItem: { index: 1, taskId: annex2(27), problem: { status: 412, code: 'precondition_failed', currentVersion: 2 } },
    });
    t.same({ position: await ledgerPosition(), v11: await versionOf(11), v27: await versionOf(27) }, before, 'the first item was rolled back too');
  });

  t.test('independent: each item on its own, the good ones committed', async (t) => {
    const before = await ledgerPosition();
    const response = await batch(hrss, {
      mode: 'independent',
      items: [
        { op: 'report', taskId: annex2(11), report: { note: '独立一' } },
        { op: 'report', taskId: 'tj-2021-annex1-01', report: { note: '不是我们的任务' } },
        { op: 'update', taskId: annex2(27), ifMatch: '"1"', changes: { progress: 50 } },
        { op: 'update', taskId: annex2(44), ifMatch: '"3"', changes: { status: 'verified' } },
        { op: 'update', taskId: 'tj-2021-annex2-99', ifMatch: '"1"', changes: { progress: 5 } },
        { op: 'update', taskId: annex2(27), ifMatch: '"2"', changes: { progress: 50 } },
      ],
    });
    t.equal(response.statusCode, 200);
    const body = response.json();
    t.match(body, { mode: 'independent', applied: 2, failed: 4 });
    t.same(
      body.results.map((r: any) => [r.status, r.problem?.code ?? null]),
      [
        [201, null],
        [403, 'forbidden'],
        [412, 'precondition_failed'],
        [409, 'invalid_transition'],
        [404, 'not_found'],
        [200, null],
      ],
    );
    t.match(body.results[3].problem, { currentStatus: 'completed' });
    t.notOk(body.results[3].problem.allowedStatuses.includes('verified'), 'only the supervisor verifies');
    t.equal((await ledgerPosition()) - before, 2, 'events for the two that succeeded, none for the rest');
    t.equal(await versionOf(27), 3);
    t.equal(await versionOf(44), 3, 'the refused verification left task 44 alone');
  });

  t.test('a retried batch with the same Idempotency-Key is answered once', async (t) => {
    const payload = { items: [{ op: 'report', taskId: annex2(11), report: { note: '月报 11月' } }] };
    const first = await batch(hrss, payload, { 'idempotency-key': 'monthly-2026-11' });
    const again = await batch(hrss, payload, { 'idempotency-key': 'monthly-2026-11' });
    t.equal(first.statusCode, 200);
    t.equal(again.statusCode, 200);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.same(again.json(), first.json());
    const other = await batch(hrss, { items: [{ op: 'report', taskId: annex2(11), report: { note: '别的' } }] }, { 'idempotency-key': 'monthly-2026-11' });
    t.equal(other.statusCode, 422);
    t.match(other.json(), { code: 'idempotency_conflict' });
  });

  t.test('bad batches are 400 problems and change nothing', async (t) => {
    const before = await ledgerPosition();
    const item = { op: 'report', taskId: annex2(11), report: { note: 'x' } };
    for (const [label, payload] of [
      ['no items', { items: [] }],
      ['101 items', { items: Array.from({ length: 101 }, () => item) }],
      ['unknown op', { items: [{ ...item, op: 'delete' }] }],
      ['update without ifMatch', { items: [{ op: 'update', taskId: annex2(11), changes: { progress: 1 } }] }],
      ['unknown mode', { mode: 'best-effort', items: [item] }],
      ['unknown member', { items: [item], dryRun: true }],
      ['items not a list', { items: item }],
    ] as const) {
      const response = await batch(hrss, payload);
      t.equal(response.statusCode, 400, label);
      t.match(response.json(), { code: 'validation_failed' }, label);
    }
    t.equal(await ledgerPosition(), before);
  });

  t.test('reports in a batch follow the same rule: the task’s progress is the lead’s, a co unit’s is its own share', async (t) => {
    const response = await batch(hrss, {
      items: [
        { op: 'report', taskId: annex2(8), report: { note: '配合进展', progress: 30 } }, // 市人社局 co-operates on 8
        { op: 'report', taskId: annex2(11), report: { note: '牵头进展', progress: 55 } },
      ],
    });
    t.equal(response.statusCode, 200);
    const [co, lead] = response.json().results;
    t.match(co.task, { progress: 0, version: 2 }, 'the co report leaves the task’s progress');
    const recorded = co.task.assignments.map(({ agencyName: _name, acknowledgedAt: _signed, ...assignment }: any) => assignment);
    t.same(
      recorded.filter((a: any) => a.progress !== null),
      [{ agencyId: 'tj-hrss-bureau', role: 'co', position: 2, progress: 30 }],
      'it sets the progress of 市人社局’s own assignment',
    );
    t.notOk('progress' in co.event.changes);
    t.same(co.event.changes.assignments, { from: recorded.map((a: any) => ({ ...a, progress: null })), to: recorded }, 'a ledger change like any other');
    t.same(co.event.state.assignments, recorded);
    t.match(lead.task, { progress: 55 });
    t.match(lead.event.changes, { progress: { to: 55 } });
    t.notOk('assignments' in lead.event.changes);
    t.ok(lead.task.assignments.every((a: any) => a.progress === null), 'the lead’s progress is the task’s, not a share');
  });

  t.test('only writers may send batches, and each item keeps its own permission', async (t) => {
    const item = { op: 'report', taskId: annex2(11), report: { note: 'x' } };
    t.equal((await batch(await key('auditor'), { items: [item] })).statusCode, 403);
    t.equal((await app.inject({ method: 'POST', url: '/v1/tasks:batch', payload: { items: [item] } })).statusCode, 401);
    const bySupervisor = await batch(supervisor, { mode: 'independent', items: [item, { op: 'update', taskId: annex2(11), ifMatch: `"${await versionOf(11)}"`, changes: { dueDate: '2026-12-31' } }] });
    t.same(
      bySupervisor.json().results.map((r: any) => r.status),
      [403, 200],
      'a supervisor sets due dates but posts no progress reports',
    );
  });
});

t.test('concurrent batches over the same tasks in opposite orders neither deadlock nor lose a report', async (t) => {
  const context = await setupApp(t);
  const { app, key } = context;
  const hrss = await key('agency', 'tj-hrss-bureau');
  const apps = await appInstances(t, context);
  const tasks = [annex2(11), annex2(27), annex2(44)];
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, i) => {
      const order = i % 2 === 0 ? tasks : [...tasks].reverse();
      return apps[i % apps.length]!.inject({
        method: 'POST',
        url: '/v1/tasks:batch',
        headers: { authorization: hrss },
        payload: { items: order.map((taskId) => ({ op: 'report', taskId, report: { note: `批次 ${i}` } })) },
      });
    }),
  );
  t.same(
    responses.map((r) => r.statusCode),
    Array(12).fill(200),
    `every batch applied across ${apps.length} app instance(s)`,
  );
  for (const id of tasks) t.equal((await getJson(app, `/v1/tasks/${id}`)).body.version, 13, `${id}: created + 12 reports`);
});
