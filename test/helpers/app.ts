import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { KeyRole } from '../../src/db/schema/index.js';
import { createKey } from '../../src/modules/api-keys/service.js';
import { openDatabase } from '../../src/db/client.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { createTestDatabase, engine, type SeedSet, type TestDatabase } from './database.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

export interface TestContext {
  app: FastifyInstance;
  database: TestDatabase;
  clock: { now: Date };
  /** Makes a key of that role (for agency: bound to agencyId) and returns the Authorization header value. */
  key(role: KeyRole, agencyId?: string): Promise<string>;
}

const readerKeys = new WeakMap<FastifyInstance, string>();

/** An app over a fresh database seeded with the fixture (or every seed file; with seed: false, migrated and empty) of its own, with a clock the test can move; torn down with t. */
export async function setupApp(t: Test, env: Record<string, string> = {}, options: { seed?: boolean; seeds?: SeedSet } = {}): Promise<TestContext> {
  const database = await createTestDatabase(options);
  if (options.seed === false) await prepareDatabase(database.handle, NOW, []);
  const clock = { now: NOW };
  const app = await buildApp({ config: loadConfig({ RATE_LIMIT_PER_MINUTE: '100000', ...env }), db: database.handle.db, notifications: database.handle, clock: () => clock.now, logger: false });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const key = async (role: KeyRole, agencyId?: string) => {
    const created = await createKey(database.handle.db, { role, agencyId, label: `test ${role} ${agencyId ?? ''}` }, { createdBy: null, now: clock.now });
    return `Bearer ${created.key}`;
  };
  readerKeys.set(app, await key('auditor'));
  return { app, database, clock, key };
}

/** GET a path as an auditor (or with the Authorization given) and parse its JSON body. */
export async function getJson<T = any>(app: FastifyInstance, url: string, authorization: string | null = readerKeys.get(app) ?? null) {
  const response = await app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
  return { status: response.statusCode, headers: response.headers, body: response.json() as T };
}

/**
 * The test's app and, on PostgreSQL, a second instance over its own connection pool, standing in
 * for a second service process, so concurrent requests really interleave in the database.
 */
export async function appInstances(t: Test, { app, database, clock }: TestContext): Promise<FastifyInstance[]> {
  if (engine !== 'postgres' || !database.url) return [app];
  const second = await openDatabase({ engine: 'postgres', url: database.url, poolMax: 20 });
  const otherApp = await buildApp({ config: loadConfig({ RATE_LIMIT_PER_MINUTE: '100000' }), db: second.db, notifications: second, clock: () => clock.now, logger: false });
  t.teardown(async () => {
    await otherApp.close();
    await second.close();
  });
  return [app, otherApp];
}
