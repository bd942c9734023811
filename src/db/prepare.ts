import type { DatabaseHandle } from './client.js';
import { applyMigrations } from './migrate.js';
import { loadSeedFiles, seedDatabase, type SeedFile, type SeedResult } from './seed.js';

/**
 * Brings a database to the current schema and loads the seed lists, under one lock so that
 * replicas starting together neither race the migrator nor each other's seeding.
 */
export async function prepareDatabase(handle: DatabaseHandle, now: Date, seedFiles?: readonly SeedFile[]): Promise<SeedResult> {
  const seeds = seedFiles ?? (await loadSeedFiles());
  return handle.exclusive(async (db) => {
    await applyMigrations(handle.engine, db);
    return seedDatabase(db, seeds, now);
  });
}
