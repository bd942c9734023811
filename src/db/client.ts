import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import { isDatabaseUnavailable } from './errors.js';
import * as schema from './schema/index.js';

/** The one drizzle type the rest of the code sees, whichever engine is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  readonly engine: DatabaseTarget['engine'];
  readonly db: Database;
  /** Runs fn while holding a cluster-wide lock, so that N processes starting at once migrate and seed one at a time. */
  exclusive<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  /** Listens on a NOTIFY channel until the returned function is called; never throws. */
  subscribe(channel: string, subscriber: Subscriber): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * What a subscription reports. Between onLost and the next onLive notifications may have been
 * missed, so whatever was kept up to date by them must be dropped.
 */
export interface Subscriber {
  onMessage(payload: string): void;
  onLive(): void;
  onLost(): void;
}

export type Notifications = Pick<DatabaseHandle, 'subscribe'>;

// Any constant works; it only has to be the same in every process that migrates this database.
const STARTUP_LOCK_KEY = 4_242_017;

export interface OpenOptions {
  /** Told of every connection a PostgreSQL pool loses (the request using it gets its own error). */
  onConnectionError?: (error: Error) => void;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<DatabaseHandle> {
  return target.engine === 'postgres' ? openPostgres(target, options.onConnectionError ?? (() => {})) : openPglite(target.dataDir);
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
    async subscribe(channel, subscriber) {
      const unlisten = await client.listen(channel, (payload) => subscriber.onMessage(payload));
      subscriber.onLive();
      // A closed database has no listener left to remove (and would refuse the UNLISTEN).
      return once(async () => {
        if (!client.closed) await unlisten();
      });
    },
    close: once(() => client.close()),
  };
}

type PostgresTarget = Extract<DatabaseTarget, { engine: 'postgres' }>;

async function openPostgres(target: PostgresTarget, onConnectionError: (error: Error) => void): Promise<DatabaseHandle> {
  const statementTimeoutMs = target.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolMax,
    // Bounded waits, so that while the database is away a request fails (503) instead of hanging.
    connectionTimeoutMillis: target.connectTimeoutMs ?? 0,
    statement_timeout: statementTimeoutMs,
    // The server cancels a statement after statement_timeout; a connection that went silent (a
    // network partition, no RST) never answers at all, so the client stops waiting a little later.
    query_timeout: statementTimeoutMs > 0 ? statementTimeoutMs + 5_000 : 0,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    keepAlive: true,
  });
  // A connection lost while idle in the pool is reported on the pool; one lost while checked out
  // (between the statements of a transaction, say) on the client itself. An 'error' event nobody
  // listens to ends the process, so both have a listener; the query in flight fails on its own.
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  const db = drizzleNodePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Database;
  db.transaction = (work, config) => onOwnConnection(pool, (connected) => connected.transaction(work, config));
  return {
    engine: 'postgres',
    db,
    async exclusive(fn) {
      // A session-level advisory lock belongs to one connection, so the work runs on that connection.
      const client = await pool.connect();
      try {
        const lockedDb = databaseOn(client);
        await lockedDb.execute(sql`select pg_advisory_lock(${STARTUP_LOCK_KEY})`);
        // A migration over a large ledger (an index build) may rightly take longer than any request.
        await lockedDb.execute(sql`set statement_timeout = 0`);
        try {
          return await fn(lockedDb);
        } finally {
          await lockedDb.execute(sql`reset statement_timeout`);
          await lockedDb.execute(sql`select pg_advisory_unlock(${STARTUP_LOCK_KEY})`);
        }
      } finally {
        client.release();
      }
    },
    subscribe: (channel, subscriber) => subscribeOnPostgres(target, channel, subscriber, onConnectionError),
    close: once(() => pool.end()),
  };
}

const RESUBSCRIBE_MIN_MS = 250;
const RESUBSCRIBE_MAX_MS = 5_000;

/**
 * LISTEN needs a session of its own, outside the pool: a pooled connection is handed to whoever
 * asks next. When that session is lost (the server restarted, say) it is opened again, with a
 * growing pause, until unsubscribed; the first attempt's outcome is known before this returns.
 */
async function subscribeOnPostgres(target: PostgresTarget, channel: string, subscriber: Subscriber, onConnectionError: (error: Error) => void) {
  let current: pg.Client | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let pause = RESUBSCRIBE_MIN_MS;

  const retryLater = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, pause).unref();
    pause = Math.min(pause * 2, RESUBSCRIBE_MAX_MS);
  };
  const lost = (client: pg.Client) => {
    if (current === client) {
      current = null;
      subscriber.onLost();
    }
    client.end().catch(() => {});
    retryLater();
  };
  const connect = async () => {
    const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: target.connectTimeoutMs ?? 0, keepAlive: true });
    client.on('error', (error) => {
      onConnectionError(error);
      lost(client);
    });
    client.on('end', () => lost(client));
    client.on('notification', (message) => {
      if (current === client && message.channel === channel) subscriber.onMessage(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch {
      lost(client);
      return;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    pause = RESUBSCRIBE_MIN_MS;
    subscriber.onLive();
  };

  await connect();
  return once(async () => {
    stopped = true;
    clearTimeout(retryTimer);
    const client = current;
    current = null;
    await client?.end().catch(() => {});
  });
}

/**
 * Runs a transaction on a connection checked out here rather than by drizzle, which leaves the
 * connection checked out for ever when BEGIN itself fails (the database went away between
 * checkout and BEGIN): after PG_POOL_MAX such failures the pool had nothing left to give, and
 * pool.end() waited on them at shutdown. A connection that failed is destroyed, not reused.
 */
async function onOwnConnection<T>(pool: pg.Pool, work: (db: Database) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await work(databaseOn(client));
  } catch (error) {
    if (isDatabaseUnavailable(error)) failure = error as Error;
    throw error;
  } finally {
    client.release(failure);
  }
}

// Building a drizzle instance costs about 90 µs (it walks the schema); each pooled connection keeps its own.
const connectionDatabases = new WeakMap<pg.PoolClient, Database>();

function databaseOn(client: pg.PoolClient): Database {
  let db = connectionDatabases.get(client);
  if (!db) {
    db = drizzleNodePg({ client, schema, casing: 'snake_case' }) as unknown as Database;
    connectionDatabases.set(client, db);
  }
  return db;
}

/** Closing twice (a signal during shutdown, a test tearing down) must not throw. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
