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
  await adminQuery(options.seed === false ? `create database ${name}` : `create database ${name} template ${await postgresTemplate(seeds)}`);
  const url = withDatabase(adminUrl, name);
  const pgHandle = await openDatabase({ engine: 'postgres', url, poolMax: 20 });
  return {
    handle: pgHandle,
    url,
    async drop() {
      await pgHandle.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/**
 * Migrating and seeding a PostgreSQL database costs more than copying one: each test file's
 * database is created from a template database built once for the code that fills it (named by
 * templateDigest). Test files starting together build it under an advisory lock, so one builds
 * and the others wait and copy. Templates of other digests an hour old are dropped, so a machine
 * keeps few, while a run of other code on the same server an hour ago is not disturbed.
 */
async function postgresTemplate(seeds: SeedSet): Promise<string> {
  const name = `duban_template_${seeds}_${(await templateDigest(seeds)).slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(hashtext($1))', ['duban test templates']);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      const building = `${name}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const handle = await openDatabase({ engine: 'postgres', url: withDatabase(adminUrl, building), poolMax: 2 });
      try {
        await prepareDatabase(handle, SEEDED_AT, await seedFilesOf(seeds));
      } finally {
        await handle.close();
      }
      await admin.query(`alter database ${building} rename to ${name}`);
      await admin.query(`comment on database ${name} is '${new Date().toISOString()}'`);
      const stale = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like 'duban\\_template\\_%' and datname <> $1 and shobj_description(oid, 'pg_database') < $2`,
        [name, new Date(Date.now() - 3_600_000).toISOString()],
      );
      for (const { datname } of stale.rows) await admin.query(`drop database if exists ${datname} with (force)`);
    }
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock(hashtext($1))', ['duban test templates']).catch(() => {});
    await admin.end();
  }
}

/**
 * Builds the templates the test files copy, before they start: on a cold cache every file
 * starting at once would otherwise build its own PGlite template, several seconds of CPU each.
 */
export async function prepareTemplates(options: { postgres: boolean }): Promise<void> {
  for (const seeds of ['fixture', 'all'] as const) {
    await pgliteTemplate(seeds);
    if (options.postgres) await postgresTemplate(seeds);
  }
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

/** A digest of the migrations, the seeds and the code that writes the seeded rows: a template of another digest holds other data. */
async function templateDigest(seeds: SeedSet): Promise<string> {
  const digest = createHash('sha256').update(seeds);
  for (const dir of [migrationsFolder, join(migrationsFolder, 'meta'), seedsDir]) {
    for (const file of (await readdir(dir)).sort()) {
      if (/\.(sql|json)$/.test(file)) digest.update(file).update(await readFile(join(dir, file)));
    }
  }
  for (const file of ['db/import.ts', 'db/ledger.ts', 'db/seed.ts', 'modules/documents/format.ts', 'modules/documents/validate.ts']) digest.update(await readFile(new URL(`../../src/${file}`, import.meta.url)));
  digest.update(SEEDED_AT.toISOString());
  return digest.digest('hex');
}

/**
 * PGlite spends seconds on initdb; a migrated, seeded data directory is dumped once and loaded by
 * every test file instead. The file name carries a digest of the migrations, the seeds and the
 * importer, so any change to them builds a new template.
 */
async function pgliteTemplate(seeds: SeedSet): Promise<Blob> {
  const file = join(cacheDir, `pglite-template-${(await templateDigest(seeds)).slice(0, 16)}.tar`);
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
