import t from 'tap';
import { createDubanClient, unwrap } from '../../clients/typescript/src/index.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createKey } from '../../src/modules/api-keys/service.js';
import { NOW } from '../helpers/app.js';
import { createTestDatabase, engine } from '../helpers/database.js';
import { startProxy } from '../helpers/proxy.js';

// The embedded engine lives inside the process: it cannot go away while the process runs.
if (engine !== 'postgres') {
  t.comment('SKIPPED on PGlite: a database outage needs a database server (runs in the PostgreSQL half)');
} else {
  t.test('while the database is unreachable: 503 with Retry-After, valid keys never locked out, recovery without restart', async (t) => {
    const database = await createTestDatabase();
    const server = new URL(database.url!);
    const proxy = await startProxy(server.hostname, Number(server.port || 5432));
    const viaProxy = new URL(database.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const lost: Error[] = [];
    const handle = await openDatabase(
      { engine: 'postgres', url: viaProxy.toString(), poolMax: 4, connectTimeoutMs: 1_000, statementTimeoutMs: 5_000 },
      { onConnectionError: (error) => lost.push(error) },
    );
    const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '100000', AUTH_FAILURES_PER_MINUTE: '3', AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '5' });
    const app = await buildApp({ config, db: handle.db, clock: () => NOW, logger: false });
    t.teardown(async () => {
      await app.close();
      await handle.close();
      await proxy.close();
      await database.drop();
    });
    const created = await createKey(database.handle.db, { role: 'auditor', label: 'outage' }, { createdBy: null, now: NOW });
    const authorization = `Bearer ${created.key}`;
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization } });
    t.equal((await get('/v1/tasks/tj-2021-annex2-08')).statusCode, 200, 'served before the outage');

    // A connection checked out of the pool and idle between two statements of a transaction: its
    // loss is an 'error' event on that client, which ended the process when nobody listened.
    await t.rejects(
      handle.db.transaction(async (tx) => {
        await tx.execute('select 1');
        proxy.cut();
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => lost.length > 0 && (clearInterval(poll), resolve()), 5);
        });
        await tx.execute('select 1');
      }),
      'the transaction whose connection died fails',
    );
    t.ok(lost.length > 0, 'the lost connection was reported to the listener, not thrown');

    for (const url of ['/v1/tasks/tj-2021-annex2-08', '/v1/tasks?limit=5', '/v1/reports/summary']) {
      for (let i = 0; i < 4; i++) {
        const response = await get(url);
        t.equal(response.statusCode, 503, `${url} during the outage`);
        t.equal(response.headers['retry-after'], '2');
        t.match(response.headers['content-type'], /^application\/problem\+json/);
        t.match(response.json(), { code: 'unavailable', status: 503 });
      }
    }
    const patch = await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-08', headers: { authorization, 'if-match': '"1"' }, payload: { status: 'in_progress' } });
    t.equal(patch.statusCode, 503, 'a write during the outage');
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    t.equal(ready.statusCode, 503);
    t.ok(ready.headers['retry-after']);

    // The typed client meets the outage, waits the Retry-After the 503 carried (the database
    // comes back meanwhile), and gets its answer on the retry.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const waits: number[] = [];
    const client = createDubanClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: created.key,
      sleep: async (ms) => {
        waits.push(ms);
        proxy.restore();
      },
    });
    const task = unwrap(await client.GET('/v1/tasks/{id}', { params: { path: { id: 'tj-2021-annex2-08' } } }));
    t.equal(task.id, 'tj-2021-annex2-08', 'the client got the task');
    t.same(waits, [2_000], 'after waiting the 2 s of Retry-After once');

    // Connections that open but die before BEGIN: drizzle's own transaction never gave those back,
    // so after PG_POOL_MAX (4 here) of them the pool had none left, long after the database returned.
    t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again once the database answers');
    proxy.cutAtNextStatement();
    for (let i = 0; i < 6; i++) {
      await t.rejects(handle.db.transaction(async (tx) => tx.execute('select 1')), `transaction ${i + 1}: BEGIN fails`);
    }
    proxy.restore();
    t.equal((await get('/v1/tasks/tj-2021-annex2-08')).statusCode, 200, 'the valid key was never counted as a failed authentication (limit 3 per key, 5 per address)');
    const supervisor = await createKey(database.handle.db, { role: 'supervisor', label: 'outage' }, { createdBy: null, now: NOW });
    const write = await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-08', headers: { authorization: `Bearer ${supervisor.key}`, 'if-match': '"1"' }, payload: { dueDate: '2026-12-31' } });
    t.equal(write.statusCode, 200, 'a write transaction gets a connection: none was leaked by the failed BEGINs');
  });
}
