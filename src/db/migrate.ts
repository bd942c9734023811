import { fileURLToPath } from 'node:url';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database, DatabaseHandle } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Applies the drizzle-kit migrations that have not run yet; safe to call from many processes at once. */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  await handle.exclusive((db) => applyMigrations(handle.engine, db));
}

export async function applyMigrations(engine: DatabaseHandle['engine'], db: Database): Promise<void> {
  if (engine === 'postgres') await migrateNodePg(db as unknown as NodePgDatabase, { migrationsFolder });
  else await migratePglite(db as unknown as PgliteDatabase, { migrationsFolder });
}
