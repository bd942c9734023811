import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { setupApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { captureLog } from '../helpers/log.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

const skip = (await redisAnswers()) ? false : `Redis run SKIPPED: no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL)`;
if (skip) console.log(skip);

/** The test's app and a second instance over the same database and config: two replicas. */
async function twoReplicas(t: Test, env: Record<string, string>) {
  const context = await setupApp(t, env);
  const second = await buildApp({ config: loadConfig(env), db: context.database.handle.db, notifications: context.database.handle, clock: () => context.clock.now, logger: false });
  t.teardown(() => second.close());
  return { ...context, apps: [context.app, second] as const };
}

const get = (app: FastifyInstance, authorization: string) => app.inject({ method: 'GET', url: '/v1/me', headers: { authorization } });

t.test('replicas share one request budget through Redis', { skip }, async (t) => {
  const { apps, key } = await twoReplicas(t, { REDIS_URL, REDIS_KEY_PREFIX: `duban-test:${randomUUID()}:`, RATE_LIMIT_PER_MINUTE: '5' });
  const auditor = await key('auditor');
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await get(apps[i % 2]!, auditor)).statusCode);
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429, 429], 'five in all, whichever replica serves them');
  const refused = await get(apps[0], auditor);
  t.equal(refused.statusCode, 429);
  t.ok(Number(refused.headers['retry-after']) >= 1);
  t.equal((await get(apps[1], await key('auditor'))).statusCode, 200, 'another key has its own budget');
});

t.test('failed authentications are counted once over the replicas', { skip }, async (t) => {
  const { apps } = await twoReplicas(t, { REDIS_URL, REDIS_KEY_PREFIX: `duban-test:${randomUUID()}:`, AUTH_FAILURES_PER_MINUTE: '3' });
  const wrong = 'Bearer dbn_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await get(apps[i % 2]!, wrong)).statusCode);
  t.same(statuses, [401, 401, 401, 401, 429, 429], 'refused once the shared count passes 3; each process alone would have allowed 4');
});

t.test('without REDIS_URL each process keeps its own budget', async (t) => {
  const { apps, key } = await twoReplicas(t, { RATE_LIMIT_PER_MINUTE: '2' });
  const auditor = await key('auditor');
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await get(apps[i % 2]!, auditor)).statusCode);
  t.same(statuses, [200, 200, 200, 200, 429, 429], 'two per process');
});

t.test('with Redis down the limits fail open, and say so in the log', async (t) => {
  const log = captureLog();
  const database = await createTestDatabase();
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const app = await buildApp({ config: loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_MINUTE: '2', PUBLIC_READ: 'true' }), db: database.handle.db, clock: () => new Date(), logger: { level: 'warn', stream: log.stream } });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: 'GET', url: '/v1/task-lists' })).statusCode);
  t.same(statuses, [200, 200, 200, 200], 'served past the limit rather than refused');
  const warnings = log.lines().filter((line) => String(line.msg).includes('Redis for the rate limits does not answer'));
  t.equal(warnings.length, 1, 'one warning for the outage, not one per request');
  t.match(warnings[0], { level: 40, component: 'rate-limit' });
});

const redisServer = spawnSync('redis-server', ['--version']).status === 0 ? false : 'redis-server is not installed here';

t.test('once Redis answers again the limits apply again, by themselves', { skip: redisServer }, async (t) => {
  const port = await freePort();
  const log = captureLog();
  const database = await createTestDatabase();
  const app = await buildApp({ config: loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_MINUTE: '2', PUBLIC_READ: 'true' }), db: database.handle.db, clock: () => new Date(), logger: { level: 'info', stream: log.stream } });
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  t.teardown(async () => {
    server.kill();
    await app.close();
    await database.drop();
  });
  const rateLimitLines = () => log.lines().filter((line) => line.component === 'rate-limit').map((line) => line.msg);
  // The client reconnects on its own schedule (a growing pause, 5 s at most); wait for it, bounded.
  const deadline = Date.now() + 15_000;
  while (!rateLimitLines().some((msg) => String(msg).includes('answers again')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: 'GET', url: '/v1/task-lists' })).statusCode);
  t.same(statuses, [200, 200, 429, 429]);
  t.match(rateLimitLines(), [/does not answer/, /answers again/]);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
