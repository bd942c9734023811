import { createServer } from 'node:http';
import t from 'tap';
import { postgresBinaries, startCluster } from '../helpers/cluster.js';
import { engine } from '../helpers/database.js';
import { checkAgainstLedger, startWriteLoad } from '../helpers/load.js';
import { bootstrapKey, mintKey, startService } from '../helpers/service.js';

const bindir = postgresBinaries();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (engine !== 'postgres') {
  t.comment('SKIPPED on PGlite: restarting the database needs a PostgreSQL server (runs in the PostgreSQL half)');
} else if (bindir === null) {
  t.comment('SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql to start a throwaway cluster (.ci/run installs them)');
} else {
  t.test('PostgreSQL restarts under load: the process lives, 503 + Retry-After meanwhile, recovery by itself, nothing acknowledged lost', async (t) => {
    const cluster = await startCluster(bindir);
    t.teardown(() => cluster.destroy());
    // A webhook receiver, so the dispatcher is busy with the database when it goes away.
    const receiver = createServer((_request, response) => response.end('ok')).listen(0, '127.0.0.1');
    t.teardown(() => receiver.close());
    await new Promise((resolve) => receiver.once('listening', resolve));
    const admin = bootstrapKey();
    const service = await startService({
      DATABASE_URL: cluster.url,
      BOOTSTRAP_ADMIN_KEY: admin,
      PG_CONNECT_TIMEOUT_MS: '1000',
      PG_STATEMENT_TIMEOUT_MS: '5000',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // Low, so that counting a failed key lookup as a failed authentication would show.
      AUTH_FAILURES_PER_MINUTE: '3',
      AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '5',
    });
    t.teardown(() => void service.child.kill('SIGKILL'));
    const lead = await mintKey(service, admin, { role: 'agency', agencyId: 'tj-hrss-bureau', label: 'fault test' });
    const auditor = await mintKey(service, admin, { role: 'auditor', label: 'fault test' });
    const { port } = receiver.address() as { port: number };
    const subscribed = await fetch(`${service.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }),
    });
    t.equal(subscribed.status, 201);

    const load = startWriteLoad(service.url, lead, ['tj-2021-annex2-11', 'tj-2021-annex2-27', 'tj-2021-annex2-44'], { label: 'restart' });
    await sleep(1_000);
    await cluster.stop();
    const readsDuringOutage: { status: number; retryAfter: string | null; contentType: string | null }[] = [];
    const outageEnds = Date.now() + 3_000;
    while (Date.now() < outageEnds) {
      const started = Date.now();
      const response = await fetch(`${service.url}/v1/tasks/tj-2021-annex2-44`, { headers: { authorization: auditor } });
      t.ok(Date.now() - started < 3_000, 'answered within the connect timeout');
      readsDuringOutage.push({ status: response.status, retryAfter: response.headers.get('retry-after'), contentType: response.headers.get('content-type') });
      await sleep(100);
    }
    t.equal((await fetch(`${service.url}/readyz`)).status, 503, '/readyz says the database is away');
    t.equal((await fetch(`${service.url}/healthz`)).status, 200, '/healthz: the process answers');
    await cluster.start();
    const recoveryStarted = Date.now();
    while ((await fetch(`${service.url}/readyz`)).status !== 200) {
      if (Date.now() - recoveryStarted > 15_000) throw new Error('not ready 15 s after the database came back');
      await sleep(100);
    }
    t.comment(`ready again ${Date.now() - recoveryStarted} ms after the database was back`);
    await sleep(1_000);
    const outcomes = await load.stop();

    t.ok(service.alive(), 'the process is still running');
    t.same(
      readsDuringOutage.filter((r) => r.status !== 503 || r.retryAfter !== '2' || !r.contentType?.startsWith('application/problem+json')),
      [],
      `all ${readsDuringOutage.length} reads during the outage: 503 problem with Retry-After`,
    );
    const statuses = new Set(outcomes.map((o) => o.status));
    t.same([...statuses].filter((s) => s !== 201 && s !== 503), [], `writes were acknowledged (201) or refused (503) only: ${[...statuses].join(', ')}`);
    t.ok(outcomes.some((o) => o.status === 503), 'some writes met the outage');
    t.ok(outcomes.filter((o) => o.status === 503).every((o) => o.retryAfter === '2'), 'each refused write carries Retry-After');
    const afterOutage = outcomes.slice(-5);
    t.ok(afterOutage.every((o) => o.status === 201), 'writes succeed again without a restart, with the same key (never locked out)');

    const ledger = await checkAgainstLedger(service.url, auditor, outcomes);
    t.ok(ledger.acknowledged > 10, `${ledger.acknowledged} acknowledged writes`);
    t.same(ledger.missing, [], 'every acknowledged write is in the ledger, with the event id it was acknowledged with');
    t.same(ledger.refusedButRecorded, [], 'no refused write is');
    const verify = (await (await fetch(`${service.url}/v1/audit/verify`, { headers: { authorization: auditor } })).json()) as { ok: boolean; problems: unknown[] };
    t.same(verify.problems, []);
    t.ok(verify.ok, 'every chain verifies');

    service.child.kill('SIGTERM');
    const exit = await service.exited;
    if (exit.code !== 0) t.comment(JSON.stringify(service.logs.filter((e) => Number(e.level) >= 40 || /shut|close|stop/.test(String(e.msg))).slice(-15)));
    t.same(exit, { code: 0, signal: null }, 'and it still shuts down cleanly');
    t.same(
      service.logs.filter((entry) => entry.level === 60 || /second error|uncaught/i.test(String(entry.msg))),
      [],
      'no fatal or uncaught error in the log',
    );
  });
}
