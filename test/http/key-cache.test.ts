import { type SQL, sql } from 'drizzle-orm';
import t from 'tap';
import { KeyCache, type StoredKey } from '../../src/modules/api-keys/key-cache.js';
import { appInstances, getJson, setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';

const stored: StoredKey = { role: 'auditor', agencyId: null, secretHash: 'aa' };

/** A loader that counts its calls and answers what it is told. */
function loader(answer: StoredKey | null = stored) {
  const calls = { count: 0 };
  return { calls, load: async () => (calls.count++, answer) };
}

t.test('the key cache, as plain functions', async (t) => {
  t.test('keeps nothing until it hears of changes, then keeps valid keys only', async (t) => {
    const cache = new KeyCache();
    const { calls, load } = loader();
    await cache.lookup('k1', load);
    await cache.lookup('k1', load);
    t.equal(calls.count, 2, 'not live: every lookup loads');
    cache.onLive();
    await cache.lookup('k1', load);
    t.same(await cache.lookup('k1', load), stored);
    t.equal(calls.count, 3, 'live: the second lookup is served from memory');
    const missing = loader(null);
    await cache.lookup('k2', missing.load);
    await cache.lookup('k2', missing.load);
    t.equal(missing.calls.count, 2, 'an unknown or revoked key is looked up every time');
  });

  t.test('a change heard of forgets the key; an empty payload forgets every key', async (t) => {
    const cache = new KeyCache();
    cache.onLive();
    const { calls, load } = loader();
    await cache.lookup('k1', load);
    await cache.lookup('k2', load);
    cache.onMessage('k1');
    await cache.lookup('k1', load);
    await cache.lookup('k2', load);
    t.equal(calls.count, 3, 'k1 loaded again, k2 still kept');
    cache.onMessage('');
    await cache.lookup('k1', load);
    await cache.lookup('k2', load);
    t.equal(calls.count, 5);
  });

  t.test('a row read while a change was announced is not kept', async (t) => {
    const cache = new KeyCache();
    cache.onLive();
    let release!: () => void;
    const pending = cache.lookup('k1', () => new Promise<StoredKey>((resolve) => (release = () => resolve(stored))));
    cache.onMessage('k1');
    release();
    await pending;
    const { calls, load } = loader();
    await cache.lookup('k1', load);
    t.equal(calls.count, 1, 'the lookup that raced the change left nothing behind');
  });

  t.test('losing the feed forgets everything and stops keeping until it is back', async (t) => {
    const cache = new KeyCache();
    cache.onLive();
    const { calls, load } = loader();
    await cache.lookup('k1', load);
    cache.onLost();
    await cache.lookup('k1', load);
    await cache.lookup('k1', load);
    t.equal(calls.count, 3);
    cache.onLive();
    await cache.lookup('k1', load);
    await cache.lookup('k1', load);
    t.equal(calls.count, 4);
  });

  t.test('holds at most its capacity, dropping the oldest', async (t) => {
    const cache = new KeyCache(2);
    cache.onLive();
    const { calls, load } = loader();
    for (const id of ['k1', 'k2', 'k3']) await cache.lookup(id, load);
    await cache.lookup('k3', load);
    await cache.lookup('k2', load);
    t.equal(calls.count, 3, 'the two newest kept');
    await cache.lookup('k1', load);
    t.equal(calls.count, 4, 'the oldest was dropped');
  });
});

/** Polls until the key is refused, for at most two seconds; returns the last status. */
async function statusOnceRefused(app: Parameters<typeof getJson>[0], authorization: string) {
  const deadline = Date.now() + 2_000;
  let status = 0;
  while (Date.now() < deadline && (status = (await getJson(app, '/v1/me', authorization)).status) === 200) await new Promise((resolve) => setImmediate(resolve));
  return status;
}

t.test('authenticated keys over HTTP', async (t) => {
  const context = await setupApp(t);
  const { app, database, key } = context;
  const db = database.handle.db;
  // Both drivers answer execute with { rows }; drizzle's common type leaves it unknown.
  const rowsOf = async (query: SQL) => ((await db.execute(query)) as unknown as { rows: unknown[] }).rows;

  t.test('a key found valid is not looked up again', async (t) => {
    const reader = await key('auditor');
    const unused = await key('auditor');
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-42', reader)).status, 200);
    // With the keys table out of reach, only a key held in memory can still be accepted.
    await db.execute(sql`alter table api_keys rename to api_keys_away`);
    try {
      t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-42', reader)).status, 200, 'the known key is accepted without the table');
      t.not((await getJson(app, '/v1/tasks/tj-2021-annex2-42', unused)).status, 200, 'a key never seen needs the table');
    } finally {
      await db.execute(sql`alter table api_keys_away rename to api_keys`);
    }
  });

  t.test('revoked through the API: refused on the next request', async (t) => {
    const admin = await key('admin');
    const reader = await key('auditor');
    const { keyId } = (await getJson(app, '/v1/me', reader)).body;
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyId}`, headers: { authorization: admin } })).statusCode, 204);
    t.equal((await getJson(app, '/v1/me', reader)).status, 401);
  });

  t.test('revoked in the database by hand: refused as soon as the change is announced', async (t) => {
    const reader = await key('auditor');
    const { keyId } = (await getJson(app, '/v1/me', reader)).body;
    await db.execute(sql`update api_keys set revoked_at = now() where id = ${keyId}`);
    t.equal(await statusOnceRefused(app, reader), 401);
  });

  t.test('deleted, or the table truncated: refused', async (t) => {
    const reader = await key('auditor');
    const { keyId } = (await getJson(app, '/v1/me', reader)).body;
    await db.execute(sql`delete from api_keys where id = ${keyId}`);
    t.equal(await statusOnceRefused(app, reader), 401);
  });

  t.test('revoked through another process: refused there too', { skip: engine !== 'postgres' && 'one process per PGlite database' }, async (t) => {
    const [first, second] = await appInstances(t, context);
    const admin = await key('admin');
    const reader = await key('auditor');
    const { keyId } = (await getJson(second!, '/v1/me', reader)).body;
    t.equal((await first!.inject({ method: 'DELETE', url: `/v1/api-keys/${keyId}`, headers: { authorization: admin } })).statusCode, 204);
    t.equal(await statusOnceRefused(second!, reader), 401);
  });

  t.test('the listening session lost: the process stops trusting memory, listens again, and still hears of revocations', { skip: engine !== 'postgres' && 'PGlite has no session to lose' }, async (t) => {
    const reader = await key('auditor');
    const { keyId } = (await getJson(app, '/v1/me', reader)).body;
    const killed = await rowsOf(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN%'`);
    t.ok(killed.length >= 1, 'the listening session was found and ended');
    await db.execute(sql`update api_keys set revoked_at = now() where id = ${keyId}`);
    t.equal(await statusOnceRefused(app, reader), 401, 'refused while not listening');
    const other = await key('auditor');
    const deadline = Date.now() + 5_000;
    let listening = false;
    while (!listening && Date.now() < deadline) {
      listening = (await rowsOf(sql`select 1 from pg_stat_activity where datname = current_database() and query like 'LISTEN%' and state = 'idle'`)).length > 0;
      if (!listening) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.ok(listening, 'listening again');
    t.equal((await getJson(app, '/v1/me', other)).status, 200);
    await db.execute(sql`update api_keys set revoked_at = now() where id = ${(await getJson(app, '/v1/me', other)).body.keyId}`);
    t.equal(await statusOnceRefused(app, other), 401, 'a revocation after it is heard');
  });
});
