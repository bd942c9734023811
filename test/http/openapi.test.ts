import { readFileSync } from 'node:fs';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';

/** The status board's HTML pages, its stylesheet and its sign-in form (src/modules/board): for people, not part of the API. */
const BOARD_PAGE = /^\/(?:$|lists\/|tasks\/|agencies\/|sign-in$|sign-out$|board\.css$|favicon\.svg$)/;

const committed = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

t.test('the OpenAPI document', async (t) => {
  const { app } = await setupApp(t);
  const { status, body: spec } = await getJson(app, '/openapi.json');
  t.equal(status, 200);

  t.test('is the committed openapi/openapi.json (npm run openapi regenerates it)', async (t) => {
    t.same(spec, committed);
  });

  const operations = Object.entries(spec.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).map(([method, operation]: [string, any]) => ({ path, method, operation })),
  );

  t.test('every operation has an operationId, a tag and a summary, ids unique', async (t) => {
    t.ok(operations.length >= 19);
    for (const { path, method, operation } of operations) {
      t.match(operation, { operationId: /^[a-z][A-Za-z]+$/, tags: [String], summary: String }, `${method} ${path}`);
    }
    const ids = operations.map((o) => o.operation.operationId);
    t.equal(new Set(ids).size, ids.length);
  });

  t.test('error responses are problem documents, success responses JSON', async (t) => {
    for (const { path, method, operation } of operations) {
      for (const [code, response] of Object.entries(operation.responses) as [string, any][]) {
        const types = Object.keys(response.content ?? {});
        if (Number(code) >= 400) t.same(types, ['application/problem+json'], `${method} ${path} ${code}`);
        else if (code === '204' || code === '304') t.same(types, [], `${method} ${path} ${code} has no body`);
        else {
          t.ok(types.length > 0, `${method} ${path} ${code} has a body`);
          // A document's export is also YAML, the import format's other spelling; metrics are Prometheus text.
          const own: Record<string, string> = { '/v1/documents/{id}/export': 'application/yaml', '/metrics': 'text/plain' };
          const allowed = ['application/json', 'text/csv', 'application/x-ndjson', ...(own[path] ? [own[path]] : [])];
          t.same(types.filter((type) => !allowed.includes(type)), [], `${method} ${path} ${code}: JSON, CSV, NDJSON (or an export's YAML, the metrics' text)`);
        }
      }
    }
  });

  t.test('every $ref resolves inside components', async (t) => {
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    t.ok(refs.length > 10);
    for (const ref of new Set(refs)) {
      const [, kind, name] = /^#\/components\/(schemas|headers)\/(.+)$/.exec(ref) ?? [];
      t.ok(kind && name && spec.components[kind][name], ref);
    }
  });

  t.test('every route that answers is documented, and every documented route answers', async (t) => {
    const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{([^}]+)\}/g, ':$1')}`));
    // printRoutes draws a tree; rebuild each full path from the segments along its branch.
    const served = new Set<string>();
    const stack: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^((?:[│ ] {3})*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      stack.length = depth;
      stack.push(match[2]!);
      const path = stack.join('');
      if (path.startsWith('/docs')) continue; // swagger-ui's own pages and assets
      if (BOARD_PAGE.test(path)) continue; // the status board's pages are for people, not part of the API (test/http/board.test.ts)
      for (const method of match[3]!.split(', ')) if (method !== 'HEAD') served.add(`${method} ${path}`);
    }
    t.ok(served.size >= 18, `${served.size} routes served`);
    t.same([...served].filter((route) => !documented.has(route)), [], 'nothing undocumented answers');
    t.same([...documented].filter((route) => !served.has(route)), [], 'nothing documented is missing');
  });

  t.test('/docs renders the interactive reference', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/docs/' });
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /text\/html/);
    t.match(response.body, /swagger-ui/i);
    const csp = String(response.headers['content-security-policy']);
    t.match(csp, /script-src 'self'/, 'its own scripts may run');
    t.notMatch(csp, /upgrade-insecure-requests/, 'and still load over plain http');
  });
});
