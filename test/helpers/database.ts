import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type DatabaseHandle, openDatabase, pgliteHandle } from '../../src/db/client.js';
import { migrationsFolder } from '../../src/db/migrate.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { loadSeedFiles, seedsDir } from '../../src/db/seed.js';

/** Which engine this run of the suite tests: test/run.ts runs the suite once per engine. */
export const engine = process.env.DUBAN_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const SEEDED_AT = new Date('2026-01-05T08:00:00.000Z');

export interface TestDatabase {
  handle: DatabaseHandle;
  /** A URL another process or pool can use for the same database (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

/**
 * What a test database holds: the fixture most tests count on (004's two lists and their units,
 * ledger positions 1–58), or every seed file, as the service loads them.
 */
export type SeedSet = 'fixture' | 'all';
const FIXTURE_SEEDS = ['agencies.json', 'tj-2021.json'];

async function seedFilesOf(set: SeedSet) {
  return loadSeedFiles(seedsDir, set === 'fixture' ? FIXTURE_SEEDS : undefined);
}

/** A fresh, migrated, seeded database of its own for each test file, on the engine under test. */
export async function createTestDatabase(options: { seed?: boolean; seeds?: SeedSet } = {}): Promise<TestDatabase> {
  const seeds = options.seeds ?? 'fixture';
  if (engine === 'pglite') {
    const handle = options.seed === false ? pgliteHandle(new PGlite()) : pgliteHandle(new PGlite({ loadDataDir: await pgliteTemplate(seeds) }));
    return { handle, url: null, drop: () => handle.close() };
  }
  const name = `duban_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pgHandle = await openDatabase({ engine: 'postgres', url, poolMax: 20 });
  if (options.seed !== false) await prepareDatabase(pgHandle, SEEDED_AT, await seedFilesOf(seeds));
  return {
    handle: pgHandle,
    url,
    async drop() {
      await pgHandle.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A PGlite data directory holding the migrated, seeded template, for a service process to open:
 * far quicker than letting it run initdb, migrations and seeds itself.
 */
export async function seededPgliteDataDir(dataDir: string): Promise<void> {
  const client = new PGlite(dataDir, { loadDataDir: await pgliteTemplate('all') });
  await client.waitReady;
  await client.close();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/duban/', import.meta.url));

/**
 * PGlite spends seconds on initdb; a migrated, seeded data directory is dumped once and loaded by
 * every test file instead. The file name carries a digest of the migrations, the seeds and the
 * importer, so any change to them builds a new template.
 */
async function pgliteTemplate(seeds: SeedSet): Promise<Blob> {
  const digest = createHash('sha256').update(seeds);
  for (const dir of [migrationsFolder, join(migrationsFolder, 'meta'), seedsDir]) {
    for (const file of (await readdir(dir)).sort()) {
      if (/\.(sql|json)$/.test(file)) digest.update(file).update(await readFile(join(dir, file)));
    }
  }
  // The code that writes the template's rows, so a change to it builds a new one too.
  for (const file of ['db/import.ts', 'db/ledger.ts', 'db/seed.ts', 'modules/documents/format.ts', 'modules/documents/validate.ts']) digest.update(await readFile(new URL(`../../src/${file}`, import.meta.url)));
  digest.update(SEEDED_AT.toISOString());
  const file = join(cacheDir, `pglite-template-${digest.digest('hex').slice(0, 16)}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const client = new PGlite();
    await prepareDatabase(pgliteHandle(client), SEEDED_AT, await seedFilesOf(seeds));
    const dump = await client.dumpDataDir('none');
    await client.close();
    await mkdir(cacheDir, { recursive: true });
    // Parallel test files may build it at the same time: write aside, then rename atomically.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}
