import type { DatabaseHandle } from './client.js';
import { applyMigrations } from './migrate.js';
import { loadSeedBundle, seedDatabase, type SeedBundle, type SeedResult } from './seed.js';

/**
 * Brings a database to the current schema and loads the seed lists, under one lock so that
 * replicas starting together neither race the migrator nor each other's seeding.
 */
export async function prepareDatabase(handle: DatabaseHandle, now: Date, bundle?: SeedBundle): Promise<SeedResult> {
  const seeds = bundle ?? (await loadSeedBundle());
  return handle.exclusive(async (db) => {
    await applyMigrations(handle.engine, db);
    return seedDatabase(db, seeds, now);
  });
}
