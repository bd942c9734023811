import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import * as schema from './schema/index.js';

/** The one drizzle type the rest of the code sees, whichever engine is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  readonly engine: DatabaseTarget['engine'];
  readonly db: Database;
  /** Runs fn while holding a cluster-wide lock, so that N processes starting at once migrate and seed one at a time. */
  exclusive<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Any constant works; it only has to be the same in every process that migrates this database.
const STARTUP_LOCK_KEY = 4_242_017;

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.engine === 'postgres' ? openPostgres(target.url, target.poolMax) : openPglite(target.dataDir);
}

async function openPglite(dataDir: string | null): Promise<DatabaseHandle> {
  if (!dataDir) return pgliteHandle(new PGlite());
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  try {
    const handle = pgliteHandle(new PGlite(dataDir));
    return { ...handle, close: once(() => handle.close().finally(release)) };
  } catch (error) {
    release();
    throw error;
  }
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * PGlite has no server to arbitrate between processes: two opening one data directory would
 * corrupt it. A lock file holding the owner's pid keeps a second process out; a lock left by a
 * process that no longer runs is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'duban.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => unlinkSync(lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && processRuns(owner)) {
        throw new DataDirInUseError(`DATA_DIR ${dataDir} is in use by process ${owner}; stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`);
      }
      unlinkSync(lockFile);
    }
  }
  throw new Error(`could not lock DATA_DIR ${dataDir}`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function pgliteHandle(client: PGlite): DatabaseHandle {
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Database;
  // PGlite lives inside this one process, so an in-process queue is the whole lock.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    engine: 'pglite',
    db,
    exclusive<T>(fn: (db: Database) => Promise<T>) {
      const run = queue.then(() => fn(db));
      queue = run.catch(() => {});
      return run;
    },
    close: once(() => client.close()),
  };
}

async function openPostgres(url: string, poolMax: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  // An idle client that loses its connection must not take the process down with it.
  pool.on('error', () => {});
  const db = drizzleNodePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    engine: 'postgres',
    db,
    async exclusive(fn) {
      // A session-level advisory lock belongs to one connection, so the work runs on that connection.
      const client = await pool.connect();
      try {
        const lockedDb = drizzleNodePg({ client, schema, casing: 'snake_case' }) as unknown as Database;
        await lockedDb.execute(sql`select pg_advisory_lock(${STARTUP_LOCK_KEY})`);
        try {
          return await fn(lockedDb);
        } finally {
          await lockedDb.execute(sql`select pg_advisory_unlock(${STARTUP_LOCK_KEY})`);
        }
      } finally {
        client.release();
      }
    },
    close: once(() => pool.end()),
  };
}

/** Closing twice (a signal during shutdown, a test tearing down) must not throw. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
