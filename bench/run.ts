/**
 * The HTTP benchmark of issue #12: Duban started as a service, loaded over loopback with
 * autocannon, next to a floor server (bench/floor/) that answers the same reads with bare Fastify
 * and one SQL statement, and judged against the targets. Prints a markdown table and
 * writes bench/results/<time>/results.json (with each process's log beside it).
 * --quick (1 s warm-up, 2 s runs) checks that everything runs; its figures are not worth reading.
 *   npm run bench -- [--duration 8] [--warmup 2] [--connections 32] [--quick]
 *                    [--size seeded|bench|all] [--engine postgres|pglite|all] [--log-level info]
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/duban_bench) is the
 * benchmark set (npm run bench:generate); the seeded size gets a database of its own on the same
 * server, created and dropped here. PGlite runs the seeded size in temporary directories.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateKey } from '../src/domain/api-keys.js';
import { runExport } from './http/export.js';
import { prepareFixtures, startWork } from './http/fixtures.js';
import type { LoadSettings } from './http/load.js';
import { readScenarios, runReads } from './http/reads.js';
import { failedRow, row, type Row } from './http/row.js';
import { type Process, serviceCommand, startFloor, startService } from './http/service.js';
import { formatTable } from './http/table.js';
import { judge } from './http/targets.js';
import { runContendedPatches, runReportWrites } from './http/writes.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    quick: { type: 'boolean', default: false },
    size: { type: 'string', default: 'all' },
    engine: { type: 'string', default: 'all' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const settings: LoadSettings = values.quick
  ? { connections: Number(values.connections), warmupS: 1, durationS: 2 }
  : { connections: Number(values.connections), warmupS: Number(values.warmup), durationS: Number(values.duration) };
const wants = (option: 'size' | 'engine', value: string) => values[option] === 'all' || values[option] === value;
if (!['seeded', 'bench', 'all'].includes(values.size) || !['postgres', 'pglite', 'all'].includes(values.engine)) {
  throw new Error('--size is seeded, bench or all; --engine is postgres, pglite or all');
}
if (![settings.connections, settings.warmupS, settings.durationS].every((n) => Number.isFinite(n) && n >= 0) || settings.connections < 1 || settings.durationS <= 0) {
  throw new Error('--connections must be at least 1, --duration above 0, --warmup 0 or more');
}

const benchUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/duban_bench';
const started = new Date();
const runDir = fileURLToPath(new URL(`./results/${started.toISOString().replace(/[:.]/g, '-')}/`, import.meta.url));
mkdirSync(runDir, { recursive: true });
// The service's own defaults otherwise: the request budget is the one setting a benchmark must lift.
const serviceEnv = { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: values['log-level'] };
const rows: Row[] = [];

console.log(`service: ${serviceCommand().label}; ${settings.connections} connections, ${settings.warmupS} s warm-up, ${settings.durationS} s measured; logs in ${runDir}`);

/** Reads against the floor, the export, then the writes (last, as they change what the reads would see). */
async function measureSize(base: Pick<Row, 'engine' | 'size'>, duban: Process, floor: Process, admin: string, asOf: string) {
  console.log(`${base.engine} / ${base.size}: preparing keys and picks`);
  const fixtures = await prepareFixtures(duban.url, admin);
  console.log(`  ${fixtures.taskCount} tasks; list agency ${fixtures.listAgency}, task ${fixtures.taskId}, ${fixtures.reportTargets.length} tasks open to reports`);
  rows.push(...(await runReads(base, { duban, floor }, readScenarios(fixtures, asOf, new Date().toISOString().slice(0, 10)), fixtures, settings)));
  for (const [scenario, run] of [
    ['export', () => runExport(base, { duban, floor }, fixtures, settings)],
    ['reports', () => runReportWrites(base, duban, fixtures, settings)],
    ['patch', () => runContendedPatches(base, duban, fixtures, settings)],
  ] as const) {
    const result = await run().catch((error: unknown) => failedRow(base, scenario, error));
    rows.push(result);
    console.log(`  ${scenario}: ${result.rate?.toFixed(0)} ${result.unit}; ${result.notes[0]}`);
  }
}

function startupRow(base: Pick<Row, 'engine' | 'size'>, label: string, process: Process): Row {
  console.log(`${base.engine} / ${base.size}: ${label}: ${(process.startupMs / 1000).toFixed(2)} s`);
  return row({ ...base, scenario: 'startup', mode: 'once', label, rate: process.startupMs / 1000, unit: 's', notes: [`${serviceCommand().label}, until the first 200 on /readyz`] });
}

async function onPostgres(database: string, sql: string) {
  const url = new URL(benchUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts the floor beside a running service; if the floor cannot start, the service is stopped too. */
async function floorBeside(duban: Process, env: Record<string, string>, logFile: string, databaseUrl?: string): Promise<Process> {
  try {
    return await startFloor('floor', env, logFile, databaseUrl);
  } catch (error) {
    await duban.stop();
    throw error;
  }
}

async function withProcesses(processes: Process[], work: () => Promise<void>) {
  try {
    await work();
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
  }
}

async function postgresSeeded() {
  const base = { engine: 'postgres', size: 'seeded' } as const;
  const name = `duban_bench_seeded_${process.pid}`;
  await onPostgres('postgres', `create database ${name}`);
  const url = new URL(benchUrl);
  url.pathname = `/${name}`;
  try {
    const admin = generateKey().key;
    const duban = await startService('duban', { ...serviceEnv, DATABASE_URL: url.toString(), BOOTSTRAP_ADMIN_KEY: admin }, join(runDir, 'postgres-seeded-duban.log'), url.toString());
    rows.push(startupRow(base, 'start-up, empty database (migrates and seeds)', duban));
    console.log(`  ${await startWork(duban.url, admin)} seeded tasks moved to in_progress by their leads`);
    const floor = await floorBeside(duban, { FLOOR_DATABASE_URL: url.toString() }, join(runDir, 'postgres-seeded-floor.log'), url.toString());
    await withProcesses([duban, floor], () => measureSize(base, duban, floor, admin, new Date().toISOString()));
  } finally {
    await onPostgres('postgres', `drop database if exists ${name} with (force)`);
  }
}

async function postgresBench() {
  const base = { engine: 'postgres', size: 'bench' } as const;
  const [{ count }] = await onPostgres(new URL(benchUrl).pathname.slice(1), 'select count(*)::int as count from tasks').catch(() => [{ count: 0 }]);
  if (count === 0) {
    console.log(`postgres / bench: no tasks at ${benchUrl}; run npm run bench:generate first. Skipped.`);
    return;
  }
  const admin = generateKey().key;
  const duban = await startService('duban', { ...serviceEnv, DATABASE_URL: benchUrl, BOOTSTRAP_ADMIN_KEY: admin }, join(runDir, 'postgres-bench-duban.log'), benchUrl);
  rows.push(startupRow(base, `start-up, benchmark set (${count} tasks, migrated)`, duban));
  const floor = await floorBeside(duban, { FLOOR_DATABASE_URL: benchUrl }, join(runDir, 'postgres-bench-floor.log'), benchUrl);
  await withProcesses([duban, floor], () => measureSize(base, duban, floor, admin, '2025-12-31'));
}

/**
 * PGlite lives in the process that opens it, so the floor gets a copy of the data directory the
 * service migrated and seeded (taken while the service is stopped); the reads and the export,
 * which run before any write, see the same data on both.
 */
async function pgliteSeeded() {
  const base = { engine: 'pglite', size: 'seeded' } as const;
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-pglite-'));
  const [dataDir, floorDir] = [join(dir, 'service'), join(dir, 'floor')];
  const admin = generateKey().key;
  const env = { ...serviceEnv, DATA_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: admin };
  const log = join(runDir, 'pglite-seeded-duban.log');
  try {
    const cold = await startService('duban', env, log);
    rows.push(startupRow(base, 'start-up, cold: fresh DATA_DIR (migrates and seeds)', cold));
    console.log(`  ${await startWork(cold.url, admin)} seeded tasks moved to in_progress by their leads`);
    await cold.stop();
    cpSync(dataDir, floorDir, { recursive: true });
    const duban = await startService('duban', env, log);
    rows.push(startupRow(base, 'start-up, existing DATA_DIR', duban));
    const floor = await floorBeside(duban, { FLOOR_DATA_DIR: floorDir }, join(runDir, 'pglite-seeded-floor.log'));
    await withProcesses([duban, floor], () => measureSize(base, duban, floor, admin, new Date().toISOString()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parts = [
  { engine: 'postgres', size: 'seeded', run: postgresSeeded },
  { engine: 'postgres', size: 'bench', run: postgresBench },
  { engine: 'pglite', size: 'seeded', run: pgliteSeeded },
] as const;
for (const part of parts.filter((p) => wants('engine', p.engine) && wants('size', p.size))) {
  // A part that cannot start (no server, a service that exits) is a failed row; the other parts still run.
  await part.run().catch((error: unknown) => {
    console.log(`${part.engine} / ${part.size}: ${String(error)}`);
    rows.push(failedRow({ engine: part.engine, size: part.size }, 'start-up', error));
  });
}
if (wants('engine', 'pglite') && values.size === 'bench') console.log('pglite / bench: the benchmark set is generated on PostgreSQL only (npm run bench:generate).');

const judged = rows.map(judge);
const table = formatTable(judged);
console.log(`\n${table}`);
writeFileSync(
  join(runDir, 'results.json'),
  `${JSON.stringify({ startedAt: started.toISOString(), node: process.version, service: serviceCommand().label, settings, logLevel: values['log-level'], rows: judged }, null, 2)}\n`,
);
console.log(`\n${judged.filter((r) => r.pass === false).length} of ${judged.length} rows fail their targets; results in ${join(runDir, 'results.json')}`);
