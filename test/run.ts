/**
 * The test command, after `npm run build`: the type check of every file (tests and benchmarks
 * included), the check that the committed OpenAPI files match the code, and the tap suite on
 * PGlite and on PostgreSQL when a server answers at TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), all at the same time: they share no state, and
 * together they keep both cores busy where the PostgreSQL run alone spends much of its time
 * waiting on the server. Each one's output is printed whole once it ends, in that order.
 * Without a server the PostgreSQL run is skipped and says so, unless DUBAN_REQUIRE_POSTGRES=1
 * (CI), which makes it fail.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminUrl, prepareTemplates } from './helpers/database.js';

interface Run {
  title: string;
  output: string;
  exitCode: number;
}

interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
}

const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const extraArgs = process.argv.slice(2);

/** Runs a command with its output kept; `printing` settles once it has printed something (or ended). */
function run(title: string, command: string, args: string[], env: Record<string, string> = {}): { printing: Promise<void>; done: Promise<Run> } {
  let printing!: () => void;
  const started = new Promise<void>((resolve) => (printing = resolve));
  const done = new Promise<Run>((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      printing();
    });
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', (code) => {
      printing();
      resolve({ title, output: Buffer.concat(chunks).toString('utf8'), exitCode: code ?? 1 });
    });
  });
  return { printing: started, done };
}

/** tap closes with a line such as "# { total: 120, pass: 118, fail: 1, skip: 1 }". */
function countsOf(output: string): SuiteCounts {
  const summary = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, todo: \d+)?(?:, skip: (\d+))?/.exec(output.slice(-4096));
  const [, , pass = '0', fail = '0', skip = '0'] = summary ?? [];
  return { passed: Number(pass), failed: Number(fail), skipped: Number(skip) };
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
const postgresMissing = !(await postgresAnswers());
const began = Date.now();
console.log(`running the type check, the OpenAPI check and the suite on ${postgresMissing ? 'PGlite' : 'PGlite and on PostgreSQL'}, side by side…`);

const suite = (engine: 'pglite' | 'postgres', title: string) =>
  // The PostgreSQL run waits on the server more than it computes: a third file at a time keeps the cores busy.
  run(title, bin('tap'), ['--reporter=tap', ...(engine === 'postgres' ? ['--jobs=3'] : []), ...extraArgs], { DUBAN_TEST_ENGINE: engine });
const checks = [
  run('== type check (tsc -p .) ==', bin('tsc'), ['-p', '.']).done,
  run('== OpenAPI files against the code ==', bin('tsx'), ['src/cli/openapi.ts', '--check']).done,
];
// Built once here rather than by every test file that finds the cache cold.
await prepareTemplates({ postgres: !postgresMissing });
const pglite = suite('pglite', '== Duban tests on PGlite (embedded PostgreSQL) ==');
// tap rebuilds its runner before its first output when the configured plugins differ from those it
// was built with (as after a fresh `npm ci`); two runs rebuilding it at once would break it.
await pglite.printing;
const runs = [
  ...checks,
  pglite.done,
  postgresMissing ? null : suite('postgres', `== Duban tests on PostgreSQL at ${redacted} ==`).done,
];

const finished: Run[] = [];
for (const pending of runs) {
  if (!pending) {
    console.log(`== PostgreSQL run SKIPPED: no server answers at ${redacted} (set TEST_DATABASE_URL to test against one) ==`);
    continue;
  }
  const result = await pending;
  console.log(result.title);
  process.stdout.write(result.output);
  if (result.exitCode !== 0) console.log(`(exit code ${result.exitCode})`);
  finished.push(result);
}

const suites = finished.filter((result) => result.title.includes('Duban tests')).map((result) => countsOf(result.output));
const total = suites.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
const failedChecks = finished.filter((result) => result.exitCode !== 0 && !result.title.includes('Duban tests')).map((result) => result.title.replace(/ ?== ?/g, ''));
const mustHavePostgres = process.env.DUBAN_REQUIRE_POSTGRES === '1';
if (postgresMissing && mustHavePostgres) console.log('DUBAN_REQUIRE_POSTGRES=1 and PostgreSQL did not answer: failing.');
if (failedChecks.length) console.log(`failed: ${failedChecks.join('; ')}`);
console.log(`engines: ${postgresMissing ? 'pglite only (PostgreSQL skipped)' : 'pglite, postgres'}`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped, in ${Math.round((Date.now() - began) / 1000)} s`);
process.exitCode = finished.some((result) => result.exitCode !== 0) || (postgresMissing && mustHavePostgres) ? 1 : 0;
