/**
 * The test command: runs the tap suite on PGlite, then on PostgreSQL when a server answers at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). Without a server the
 * PostgreSQL run is skipped and says so, unless DUBAN_REQUIRE_POSTGRES=1 (CI), which makes it fail.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminUrl } from './helpers/database.js';

interface RunResult {
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
}

const tapBin = fileURLToPath(new URL('../node_modules/.bin/tap', import.meta.url));
const extraArgs = process.argv.slice(2);

function runSuite(engine: 'pglite' | 'postgres'): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(tapBin, ['--reporter=tap', ...extraArgs], {
      env: { ...process.env, DUBAN_TEST_ENGINE: engine },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('close', (code) => {
      // tap closes with a line such as "# { total: 120, pass: 118, fail: 1, skip: 1 }".
      const summary = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, todo: \d+)?(?:, skip: (\d+))?/.exec(tail);
      const [, , pass = '0', fail = '0', skip = '0'] = summary ?? [];
      resolve({ passed: Number(pass), failed: Number(fail), skipped: Number(skip), exitCode: code ?? 1 });
    });
  });
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const redacted = adminUrl.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
const results: RunResult[] = [];

console.log('== Duban tests on PGlite (embedded PostgreSQL) ==');
results.push(await runSuite('pglite'));

let postgresMissing = false;
if (await postgresAnswers()) {
  console.log(`== Duban tests on PostgreSQL at ${redacted} ==`);
  results.push(await runSuite('postgres'));
} else {
  postgresMissing = true;
  console.log(`== PostgreSQL run SKIPPED: no server answers at ${redacted} (set TEST_DATABASE_URL to test against one) ==`);
}

const total = results.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }), {
  passed: 0,
  failed: 0,
  skipped: 0,
});
const mustHavePostgres = process.env.DUBAN_REQUIRE_POSTGRES === '1';
if (postgresMissing && mustHavePostgres) console.log('DUBAN_REQUIRE_POSTGRES=1 and PostgreSQL did not answer: failing.');
console.log(`engines: ${results.length === 2 ? 'pglite, postgres' : 'pglite only (PostgreSQL skipped)'}`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = results.some((r) => r.exitCode !== 0) || (postgresMissing && mustHavePostgres) ? 1 : 0;
