import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../../src/domain/api-keys.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));

let built = false;

/**
 * How to start the service as `npm start` does: the compiled server, built first if the sources
 * changed (a no-op check when `npm test` has just built it), so a test of a process runs the
 * current code without compiling TypeScript in every process it starts.
 */
export function serverCommand(): [string, string[]] {
  if (!built) {
    execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    built = true;
  }
  return [process.execPath, ['--enable-source-maps', 'dist/server.js']];
}

export interface Service {
  url: string;
  child: ChildProcess;
  /** The JSON log lines the process wrote so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** A key for BOOTSTRAP_ADMIN_KEY, so a test can mint the keys it needs over HTTP. */
export function bootstrapKey(): string {
  return generateKey().key;
}

/**
 * Starts the service as an operator would (the compiled server, or `npm start`, configured by the
 * environment) on a free port, and resolves once it listens.
 */
export async function startService(env: Record<string, string>, { startupMs = 60_000, viaNpm = false } = {}): Promise<Service> {
  const [command, args] = viaNpm ? ['npm', ['start', '--silent']] : serverCommand();
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let alive = true;
  void exited.then(() => (alive = false));
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not listen within ${startupMs} ms; stderr: ${stderr}`)), startupMs);
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          const listening = typeof entry.msg === 'string' ? /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg) : null;
          if (listening) {
            clearTimeout(timer);
            resolve(listening[1]!);
          }
        } catch {
          logs.push({ raw: line });
        }
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
  });
  return { url, child, logs, exited, alive: () => alive };
}

/** Mints a key over HTTP with the bootstrap admin key and returns its Authorization header value. */
export async function mintKey(service: Service, admin: string, body: { role: string; agencyId?: string; label: string }): Promise<string> {
  const response = await fetch(`${service.url}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`minting a key answered ${response.status}: ${await response.text()}`);
  return `Bearer ${((await response.json()) as { key: string }).key}`;
}
