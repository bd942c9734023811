import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How the benchmark starts Duban: the compiled build when there is one (what `npm start` runs
 * once the build lands), else the sources through tsx (what `npm start` runs today). The only
 * place that names the command, so every start-up and load figure is for the same binary.
 */
export function serviceCommand(): { args: string[]; label: string } {
  for (const entry of ['dist/server.js', 'dist/src/server.js']) {
    if (existsSync(`${root}${entry}`)) return { args: [entry], label: `node ${entry}` };
  }
  return { args: ['--import', 'tsx', 'src/server.ts'], label: 'node --import tsx src/server.ts' };
}

/** The floor is TypeScript in bench/, always run through tsx; tsx costs start-up time only. */
const floorArgs = ['--import', 'tsx', 'bench/floor/server.ts'];

export interface Process {
  name: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on the readiness path. */
  startupMs: number;
  /** Resolves once the work a finished load left behind is done (see settle). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** databaseUrl: the PostgreSQL database it serves, whose leftover queries settle() waits out; none for PGlite. */
export function startService(name: string, env: Record<string, string>, logFile: string, databaseUrl?: string): Promise<Process> {
  return launch(name, serviceCommand().args, env, logFile, databaseUrl);
}

export function startFloor(name: string, env: Record<string, string>, logFile: string, databaseUrl?: string): Promise<Process> {
  return launch(name, floorArgs, env, logFile, databaseUrl);
}

/**
 * When a load run ends, the requests it left in flight are still queued in the server's pool and
 * running in PostgreSQL; the next run would pay for them. A readiness request queues behind them
 * (pools and PGlite serve in order), and then the database must show no other active statement
 * (given up on after a minute: someone else may be using the database).
 */
async function settle(url: string, databaseUrl: string | undefined): Promise<void> {
  await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(120_000) }).catch(() => undefined);
  if (!databaseUrl) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const until = performance.now() + 60_000;
    const busy = `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`;
    while ((await client.query<{ n: number }>(busy)).rows[0]!.n > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await client.end();
  }
}

/**
 * Spawns node with the given arguments on a free loopback port and polls /readyz every 10 ms
 * until it answers 200: start-up time as an operator's health check sees it.
 */
async function launch(name: string, args: string[], env: Record<string, string>, logFile: string, databaseUrl: string | undefined): Promise<Process> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The log file is the child's own stdout, so its logging costs the benchmark's process nothing.
  const log = openSync(logFile, 'a');
  const began = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${name} exited before it was ready; see ${logFile}`);
    // Generous: a cold PGlite start took a minute while others' test suites loaded this machine.
    if (performance.now() - began > 600_000) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within 600 s; see ${logFile}`);
    }
    const ready = await fetch(`${url}/readyz`).then((response) => response.status === 200, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startupMs = performance.now() - began;
  return { name, url, pid: child.pid!, startupMs, settle: () => settle(url, databaseUrl), stop: () => stop(child, exited) };
}

/** SIGTERM, as an orchestrator would; SIGKILL if the graceful close takes longer than 15 s. */
async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
