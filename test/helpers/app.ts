import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

export interface TestContext {
  app: FastifyInstance;
  database: TestDatabase;
  clock: { now: Date };
}

/** An app over a fresh seeded database of its own, with a clock the test can move; torn down with t. */
export async function setupApp(t: Test, env: Record<string, string> = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const clock = { now: NOW };
  const app = await buildApp({ config: loadConfig(env), db: database.handle.db, clock: () => clock.now, logger: false });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  return { app, database, clock };
}

/** GET a path and parse its JSON body. */
export async function getJson<T = any>(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, headers: response.headers, body: response.json() as T };
}
