import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { generateKey } from '../src/domain/api-keys.js';
import { createTestDatabase, engine } from './helpers/database.js';
import { root, serverCommand } from './helpers/service.js';

interface Running {
  port: number;
  exited: Promise<number | null>;
  logs: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts the server as a real process and waits until it listens. */
async function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(...serverCommand(), { cwd: root, env: { ...process.env, PORT: '0', LOG_LEVEL: 'debug', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const listening = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (listening) return { port: Number(listening[1]), exited, logs: () => output, kill: (signal) => child.kill(signal) };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

t.test('the server starts, serves, and shuts down cleanly on SIGTERM and SIGINT', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'duban-server-'));
  const database = engine === 'postgres' ? await createTestDatabase({ seed: false }) : null;
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  });
  const bootstrap = generateKey().key;
  const env: Record<string, string> = { BOOTSTRAP_ADMIN_KEY: bootstrap, ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir }) };
  const headers = { authorization: `Bearer ${bootstrap}` };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const server = await startServer(env);
    const base = `http://127.0.0.1:${server.port}`;
    const response = await fetch(`${base}/v1/tasks?list=tj-2021-annex2&limit=200`, { headers });
    t.equal(response.status, 200);
    t.equal(((await response.json()) as { items: unknown[] }).items.length, 52, `52 tasks served before ${signal}`);
    t.match(server.logs(), /"reqId":"[0-9a-f-]{36}"/, 'request logs carry the request id');
    t.notMatch(server.logs(), bootstrap.slice(-20), 'the key is never logged');

    // Signal only once the server has taken the request in, so it is the server's to finish.
    const received = (server.logs().match(/request received/g) ?? []).length;
    const inFlight = fetch(`${base}/v1/tasks?limit=200`, { headers });
    while ((server.logs().match(/request received/g) ?? []).length === received) await new Promise((resolve) => setTimeout(resolve, 1));
    server.kill(signal);
    t.equal((await inFlight).status, 200, 'a request the server has received when the signal arrives completes');
    const code = await server.exited;
    t.equal(code, 0, `exits 0 on ${signal}`, { logs: server.logs().slice(-1500) });
    t.match(server.logs(), new RegExp(`"signal":"${signal}".*shutting down`));
  }
  t.match(await startServer(env).then(async (server) => {
    const body = await (await fetch(`http://127.0.0.1:${server.port}/v1/task-lists`, { headers })).text();
    server.kill('SIGTERM');
    await server.exited;
    return body;
  }), /"taskCount":52/, 'the database reopens intact after two shutdowns, with no second seeding');
});

t.test('a bad configuration stops the start with a message naming the variable', async (t) => {
  const child = spawn(...serverCommand(), { cwd: root, env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 1);
  t.match(stderr, /Invalid configuration:\n\s+PORT:/);
});
