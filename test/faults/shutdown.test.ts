import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createTestDatabase, engine, seededPgliteDataDir } from '../helpers/database.js';
import { checkAgainstLedger, startWriteLoad } from '../helpers/load.js';
import { bootstrapKey, mintKey, startService } from '../helpers/service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the load has had `count` writes acknowledged, so the fault lands mid-burst however fast this machine is. */
async function acknowledged(outcomes: readonly { status: number | string }[], count: number) {
  const started = Date.now();
  while (outcomes.filter((o) => o.status === 201).length < count) {
    if (Date.now() - started > 30_000) throw new Error(`fewer than ${count} writes acknowledged in 30 s`);
    await sleep(20);
  }
}
const TASKS = ['tj-2021-annex2-11', 'tj-2021-annex2-27', 'tj-2021-annex2-44'];

/** Where the service keeps its data on the engine under test: a PGlite DATA_DIR, or a PostgreSQL database of its own. */
async function storage(t: Test): Promise<Record<string, string>> {
  if (engine === 'postgres') {
    const database = await createTestDatabase({ seed: false });
    await database.handle.close();
    t.teardown(() => database.drop());
    return { DATABASE_URL: database.url! };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-fault-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await seededPgliteDataDir(dataDir);
  return { DATA_DIR: dataDir };
}

/** Starts the service again on the same data and checks the writes against what it now holds. */
async function reopenAndCheck(t: Test, env: Record<string, string>, admin: string, outcomes: Parameters<typeof checkAgainstLedger>[2]) {
  const reopened = await startService(env);
  t.teardown(() => void reopened.child.kill('SIGKILL'));
  const auditor = await mintKey(reopened, admin, { role: 'auditor', label: 'after the fault' });
  const ledger = await checkAgainstLedger(reopened.url, auditor, outcomes);
  t.ok(ledger.acknowledged >= 10, `${ledger.acknowledged} writes were acknowledged before the fault`);
  t.same(ledger.missing, [], 'every acknowledged write is in the ledger with the event id it was acknowledged with');
  t.same(ledger.refusedButRecorded, [], 'no refused write is');
  const verify = (await (await fetch(`${reopened.url}/v1/audit/verify`, { headers: { authorization: auditor } })).json()) as { ok: boolean; problems: unknown[] };
  t.same(verify.problems, [], 'the ledger verifies');
  t.ok(verify.ok);
  reopened.child.kill('SIGTERM');
  t.same(await reopened.exited, { code: 0, signal: null });
}

t.test('SIGTERM during a write burst: exit 0 within the grace period, every acknowledged write kept', async (t) => {
  const admin = bootstrapKey();
  const env = { ...(await storage(t)), BOOTSTRAP_ADMIN_KEY: admin, RATE_LIMIT_PER_MINUTE: '1000000', WEBHOOK_DISPATCH: 'false' };
  const service = await startService(env);
  t.teardown(() => void service.child.kill('SIGKILL'));
  const lead = await mintKey(service, admin, { role: 'agency', agencyId: 'tj-hrss-bureau', label: 'burst' });
  const load = startWriteLoad(service.url, lead, TASKS, { writers: 6, label: 'sigterm' });
  await acknowledged(load.outcomes, 10);
  const signalled = Date.now();
  service.child.kill('SIGTERM');
  const exit = await service.exited;
  const outcomes = await load.stop();
  t.same(exit, { code: 0, signal: null }, 'exit code 0');
  t.ok(Date.now() - signalled < 11_000, `stopped ${Date.now() - signalled} ms after SIGTERM (grace: 10 s)`);
  t.same(
    outcomes.filter((o) => o.status !== 201 && o.status !== 'no answer'),
    [],
    'a write was acknowledged, or found the service gone; none got an error answer',
  );
  await reopenAndCheck(t, env, admin, outcomes);
});

t.test('SIGTERM to `npm start` reaches the server, which shuts down rather than living on orphaned', async (t) => {
  const service = await startService({ ...(await storage(t)), WEBHOOK_DISPATCH: 'false' }, { viaNpm: true });
  t.teardown(() => void service.child.kill('SIGKILL'));
  service.child.kill('SIGTERM');
  await service.exited;
  const stopped = Date.now();
  while (!service.logs.some((entry) => entry.msg === 'database closed')) {
    if (Date.now() - stopped > 11_000) break;
    await sleep(50);
  }
  t.ok(service.logs.some((entry) => entry.msg === 'database closed'), 'the server shut down gracefully');
  await t.rejects(fetch(`${service.url}/healthz`), 'and no longer answers');
});

if (engine !== 'pglite') {
  t.comment('kill -9 on PGlite: SKIPPED on PostgreSQL (the server keeps the data; runs in the PGlite half)');
} else {
  t.test('kill -9 on PGlite during writes: the same DATA_DIR reopens, verifies, and holds every acknowledged write', async (t) => {
    const admin = bootstrapKey();
    const env = { ...(await storage(t)), BOOTSTRAP_ADMIN_KEY: admin, RATE_LIMIT_PER_MINUTE: '1000000', WEBHOOK_DISPATCH: 'false' };
    const service = await startService(env);
    const lead = await mintKey(service, admin, { role: 'agency', agencyId: 'tj-hrss-bureau', label: 'burst' });
    const load = startWriteLoad(service.url, lead, TASKS, { writers: 6, label: 'sigkill' });
    await acknowledged(load.outcomes, 10);
    service.child.kill('SIGKILL');
    t.same(await service.exited, { code: null, signal: 'SIGKILL' });
    const outcomes = await load.stop();
    // The dead process's lock file is still there; the next start takes it over.
    await reopenAndCheck(t, env, admin, outcomes);
  });
}
