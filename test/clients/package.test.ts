/**
 * @duban/client as an integrator gets it: packed, installed from the tarball into a project outside
 * this repository, compiled with tsc --strict, and run with node against a live service.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { API_VERSION } from '../../src/plugins/openapi.js';
import { getJson, setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { root } from '../helpers/service.js';

const run = promisify(execFile);
const packageDir = join(root, 'clients/typescript');
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

t.test('the package is versioned with the API it speaks', async (t) => {
  const [manifest, document] = await Promise.all([readJson(join(packageDir, 'package.json')), readJson(join(root, 'openapi/openapi.json'))]);
  t.equal(document.info.version, API_VERSION, 'openapi/openapi.json carries API_VERSION');
  t.equal(manifest.version, API_VERSION, 'clients/typescript/package.json "version" must equal API_VERSION in src/plugins/openapi.ts');
});

// Written to a file outside the repository, as an integrator would; strict mode is the point.
const program = `
import { createDubanClient, DubanProblem, unwrap, type paths, type TaskPatch } from '@duban/client';

const [baseUrl, apiKey] = process.argv.slice(2);
if (!baseUrl || !apiKey) throw new Error('usage: node main.js <baseUrl> <apiKey>');
const client = createDubanClient({ baseUrl, apiKey, retry: { retries: 0 } });

// Had the package shipped no types, or loose ones, these would not be errors and tsc would fail.
// @ts-expect-error: no such status
const wrong: TaskPatch = { status: 'finished' };
// @ts-expect-error: no such path
type Missing = paths['/v1/taskz'];

const page = unwrap(await client.GET('/v1/tasks', { params: { query: { agency: 'tj-hrss-bureau', role: 'lead', limit: 10 } } }));
const first = page.items[0];
if (!first) throw new Error('no task listed');
const read = await client.GET('/v1/tasks/{id}', { params: { path: { id: first.id } } });
const task = unwrap(read);
const etag = read.response.headers.get('etag');
if (etag === null) throw new Error('no ETag');
const updated = unwrap(await client.PATCH('/v1/tasks/{id}', { params: { path: { id: task.id }, header: { 'if-match': etag } }, body: { status: 'in_progress', progress: 40 } }));

let conflict: { status: number; code: string; message: string } | null = null;
try {
  unwrap(await client.PATCH('/v1/tasks/{id}', { params: { path: { id: task.id }, header: { 'if-match': etag } }, body: { progress: 50 } }));
} catch (error) {
  if (!(error instanceof DubanProblem)) throw error;
  conflict = { status: error.status, code: error.problem.code, message: error.message };
}
console.log(JSON.stringify({ listed: page.items.map((item) => item.id), id: updated.id, etag, versions: [task.version, updated.version], status: updated.status, progress: updated.progress, conflict }));
`;

// skipLibCheck, as most projects have it: were the package's declarations broken, its types would be
// any, and the program's @ts-expect-error lines would fail the compile.
const tsconfig = {
  compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], outDir: 'out', skipLibCheck: true },
  files: ['main.ts'],
};

t.test(
  'packed, installed outside the repository, compiled with tsc --strict and run against a live service',
  { skip: engine === 'postgres' && 'the client does not depend on the engine: its package is tested on the PGlite run only' },
  async (t) => {
    const scratch = await mkdtemp(join(tmpdir(), 'duban-integrator-'));
    t.teardown(() => rm(scratch, { recursive: true, force: true }));

    // prepack builds the package, so the tarball holds what the sources and openapi.json make today.
    const [packed] = JSON.parse((await run('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], { cwd: packageDir })).stdout);
    t.same(
      packed.files.map((file: { path: string }) => file.path).sort(),
      ['README.md', 'dist/index.d.ts', 'dist/index.js', 'dist/schema.d.ts', 'dist/schema.js', 'package.json'],
      'compiled JavaScript, its declarations with the generated types, the README; no sources',
    );

    // The same @types/node as the repository's, so the install is served from the npm cache.
    const { version: typesNode } = await readJson(join(root, 'node_modules/@types/node/package.json'));
    await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'integrator', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', `./${packed.filename}`, `@types/node@${typesNode}`], { cwd: scratch });
    const installed = await readJson(join(scratch, 'node_modules/@duban/client/package.json'));
    t.equal(installed.version, API_VERSION);

    await writeFile(join(scratch, 'main.ts'), program);
    await writeFile(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig));
    const compiled = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: scratch }).catch((error: { stdout: string }) => error);
    t.equal(compiled.stdout, '', 'tsc --strict has nothing to say');

    const { app, key } = await setupApp(t);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const apiKey = (await key('agency', 'tj-hrss-bureau')).replace(/^Bearer /, '');
    const { stdout } = await run(process.execPath, ['out/main.js', baseUrl, apiKey], { cwd: scratch });
    const result = JSON.parse(stdout);

    t.same(result.listed, ['tj-2021-annex2-11', 'tj-2021-annex2-27', 'tj-2021-annex2-44'], 'the tasks 市人社局 leads');
    t.equal(result.id, 'tj-2021-annex2-11');
    t.equal(result.versions[1], result.versions[0] + 1, 'the PATCH made a new version');
    t.match(result, { status: 'in_progress', progress: 40 });
    t.match(result.conflict, { status: 412, code: 'precondition_failed', message: /^412 precondition_failed: / }, 'the stale If-Match is a DubanProblem with the problem document');
    const stored = await getJson(app, '/v1/tasks/tj-2021-annex2-11');
    t.match(stored.body, { version: result.versions[1], status: 'in_progress', progress: 40 }, 'the service holds what the program wrote, and not the refused change');
    t.not(stored.headers.etag, result.etag);
  },
);
