import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { createDubanClient, DubanProblem, unwrap, updateTask } from '../../clients/typescript/src/index.js';
import { runQuickstart } from '../../clients/typescript/examples/quickstart.js';
import { loadConfig } from '../../src/config.js';
import { createDispatcher } from '../../src/modules/webhooks/dispatcher.js';
import { setupApp } from '../helpers/app.js';

const bare = (key: string) => key.replace(/^Bearer /, '');

t.test('an agency workflow driven through the typed client alone', async (t) => {
  const { app, key } = await setupApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const hrss = createDubanClient({ baseUrl, apiKey: bare(await key('agency', 'tj-hrss-bureau')) });
  const supervisor = createDubanClient({ baseUrl, apiKey: bare(await key('supervisor')) });
  const auditor = createDubanClient({ baseUrl, apiKey: bare(await key('auditor')) });

  const me = unwrap(await hrss.GET('/v1/me'));
  t.match(me, { role: 'agency', agencyId: 'tj-hrss-bureau', agencyName: '市人社局' });
  const led = unwrap(await hrss.GET('/v1/tasks', { params: { query: { agency: 'tj-hrss-bureau', role: 'lead' } } }));
  t.same(
    led.items.map((task) => task.number),
    [11, 27, 44],
  );

  let asked = 0;
  const started = await updateTask(hrss, 'tj-2021-annex2-44', async (task) => {
    asked += 1;
    // The first time, someone else changes the task between our read and our write.
    if (asked === 1) unwrap(await supervisor.PATCH('/v1/tasks/{id}', { params: { path: { id: task.id }, header: { 'if-match': `"${task.version}"` } }, body: { dueDate: '2026-12-31' } }));
    return { status: 'in_progress', progress: 20 };
  });
  t.equal(asked, 2, 'the 412 made the helper read the task again and recompute the change');
  t.match(started, { status: 'in_progress', progress: 20 });

  const report = { params: { path: { id: 'tj-2021-annex2-11' }, header: { 'idempotency-key': 'hrss-2026-03-11' } }, body: { note: '3月进展', progress: 30 } };
  const first = await hrss.POST('/v1/tasks/{id}/reports', report);
  const again = await hrss.POST('/v1/tasks/{id}/reports', report);
  t.equal(unwrap(again).event.id, unwrap(first).event.id, 'a retried report is recorded once');
  t.equal(again.response.headers.get('idempotent-replayed'), 'true');

  const batch = unwrap(
    await hrss.POST('/v1/tasks:batch', {
      body: { mode: 'atomic', items: [{ op: 'report', taskId: 'tj-2021-annex2-27', report: { note: '月报' } }, { op: 'report', taskId: 'tj-2021-annex2-11', report: { note: '月报' } }] },
    }),
  );
  t.match(batch, { applied: 2, failed: 0 });

  const refused = await hrss.PATCH('/v1/tasks/{id}', { params: { path: { id: 'tj-2021-annex2-44' }, header: { 'if-match': `"${started.version}"` } }, body: { status: 'verified' } });
  const problem = t.throws(() => unwrap(refused)) as unknown as DubanProblem;
  t.ok(problem instanceof DubanProblem);
  t.match(problem, { status: 409, problem: { code: 'invalid_transition', currentStatus: 'in_progress' } });
  t.notOk(problem.problem.allowedStatuses?.includes('verified'));

  await updateTask(hrss, 'tj-2021-annex2-44', () => ({ status: 'completed', progress: 100 }));
  const verified = await updateTask(supervisor, 'tj-2021-annex2-44', () => ({ status: 'verified' }));
  t.equal(verified.status, 'verified');

  const history = unwrap(await hrss.GET('/v1/tasks/{id}/events', { params: { path: { id: 'tj-2021-annex2-44' } } }));
  t.same(
    history.items.map((event) => event.type),
    ['created', 'due_date_set', 'status_changed', 'status_changed', 'verified'],
  );
  const summary = unwrap(await auditor.GET('/v1/reports/summary', { params: { query: { list: 'tj-2021-annex2' } } }));
  t.match(summary, { total: 52, byStatus: { verified: 1 } });

  const anonymous = createDubanClient({ baseUrl });
  t.match(t.throws(() => unwrap({ error: { status: 401 } as never, response: new Response(null, { status: 401 }) })), { status: 401 });
  t.equal((await anonymous.GET('/v1/me')).response.status, 401);
});

t.test('the quickstart example: a status change arrives as a signed webhook', async (t) => {
  const { app, key, database, clock } = await setupApp(t, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }); // the example's receiver is on 127.0.0.1
  clock.now = new Date(); // receivers reject signatures whose timestamp is more than five minutes off
  await app.listen({ port: 0, host: '127.0.0.1' });
  const dispatcher = createDispatcher({ db: database.handle.db, clock: () => clock.now, settings: loadConfig({ WEBHOOK_POLL_MS: '20', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks, logger: app.log });
  dispatcher.start();
  t.teardown(() => dispatcher.stop());

  const lines: string[] = [];
  const result = await runQuickstart({
    baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    adminKey: bare(await key('admin')),
    agencyKey: bare(await key('agency', 'tj-hrss-bureau')),
    log: (line) => lines.push(line),
    timeoutMs: 10_000,
  });
  t.equal(result.verified, true, 'the example verifies the signature by hand');
  t.match(result.payload, { type: 'status_changed', task: { id: result.task.id }, event: { actor: { agencyId: 'tj-hrss-bureau' }, state: { status: 'in_progress' } } });
  const secretFree = lines.join('\n');
  t.match(secretFree, /webhook \d+: status_changed of tj-2021-annex2-\d+ by tj-hrss-bureau, signature valid/);
  t.notMatch(secretFree, /whsec_/, 'the example never prints the secret');
  const webhooks = unwrap(await createDubanClient({ baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, apiKey: bare(await key('admin')) }).GET('/v1/webhooks'));
  t.same(webhooks.items, [], 'and it removed its subscription');
  t.ok(result.delivery.headers['webhook-signature'], 'signed');
  t.throws(() => new Webhook('whsec_' + Buffer.alloc(32).toString('base64')).verify(result.delivery.body, result.delivery.headers as Record<string, string>), 'a wrong secret fails');
});

t.test('retries: 429 and 503 after Retry-After or backoff; lost answers only when a repeat is harmless', async (t) => {
  const waits: number[] = [];
  const script = (answers: (number | Error)[]) => {
    const seen: string[] = [];
    const fetch = async (request: Request) => {
      seen.push(`${request.method} ${await request.text()}`);
      const next = answers.shift() ?? 200;
      if (next instanceof Error) throw next;
      const headers: Record<string, string> = next === 429 ? { 'retry-after': '2' } : {};
      return new Response(next === 200 ? '{"ok":true}' : JSON.stringify({ code: 'x', status: next }), { status: next, headers: { 'content-type': 'application/json', ...headers } });
    };
    return { seen, client: createDubanClient({ baseUrl: 'http://duban.invalid', fetch, sleep: async (ms) => void waits.push(ms), retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 10_000 } }) };
  };

  const rateLimited = script([429, 429]);
  t.equal((await rateLimited.client.GET('/v1/me')).response.status, 200);
  t.same(waits.splice(0), [2000, 2000], 'Retry-After: 2, twice');

  const unavailable = script([503, 503, 503, 503]);
  t.equal((await unavailable.client.POST('/v1/tasks/{id}/reports', { params: { path: { id: 'x' } }, body: { note: 'n' } })).response.status, 503, 'gives up after 3 retries');
  t.equal(unavailable.seen.length, 4);
  t.same(unavailable.seen.at(-1), 'POST {"note":"n"}', 'the body is sent again on each attempt');
  t.ok(waits[0]! >= 50 && waits[0]! <= 100 && waits[2]! >= 200 && waits[2]! <= 400, `exponential backoff with jitter: ${waits.map(Math.round).join(', ')}`);
  waits.splice(0);

  const lost = script([new TypeError('fetch failed')]);
  await t.rejects(lost.client.POST('/v1/tasks/{id}/reports', { params: { path: { id: 'x' } }, body: { note: 'n' } }), 'a write without Idempotency-Key is not repeated blindly');
  t.equal(lost.seen.length, 1);
  const lostButKeyed = script([new TypeError('fetch failed')]);
  const keyed = await lostButKeyed.client.POST('/v1/tasks/{id}/reports', { params: { path: { id: 'x' }, header: { 'idempotency-key': 'k1' } }, body: { note: 'n' } });
  t.equal(keyed.response.status, 200, 'with one, it is');
  t.equal(lostButKeyed.seen.length, 2);
});
