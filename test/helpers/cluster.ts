import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Cluster {
  url: string;
  /** pg_ctl stop -m fast: connections are terminated (57P01), new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The newest PostgreSQL server binaries on this machine (Debian's layout), or null. */
export function postgresBinaries(): string | null {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    return versions[0] ? `/usr/lib/postgresql/${versions[0]}/bin` : null;
  } catch {
    return null;
  }
}

async function sparePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl on a spare port), so a test
 * may stop and start the server without touching anyone else's. initdb refuses to run as root,
 * so as root it runs as the postgres system user, as .ci/run does.
 */
export async function startCluster(bindir: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-fault-pg-'));
  const asRoot = process.getuid?.() === 0;
  const exec = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bindir, command), ...args]) : run(join(bindir, command), args));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    chownSync(dir, Number(stdout.trim()), -1);
  }
  const data = join(dir, 'data');
  const port = await sparePort();
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const pgCtl = (...args: string[]) => exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', ...args]);
  const start = async () => {
    await pgCtl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pgCtl('-m', 'fast', 'stop');
    },
    start,
    destroy: async () => {
      await pgCtl('-m', 'immediate', 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
