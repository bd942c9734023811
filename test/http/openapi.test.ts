import { readFileSync } from 'node:fs';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';

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
    t.ok(operations.length >= 11);
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
        else t.same(types, ['application/json'], `${method} ${path} ${code}`);
      }
    }
  });

  t.test('every $ref resolves inside components', async (t) => {
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    t.ok(refs.length > 10);
    for (const ref of new Set(refs)) {
      const [, name] = /^#\/components\/schemas\/(.+)$/.exec(ref) ?? [];
      t.ok(name && spec.components.schemas[name], ref);
    }
  });

  t.test('every route that answers is documented (nothing undocumented answers)', async (t) => {
    const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{[^}]+\}/g, ':param')}`));
    const routes = app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => /\(\w+(, \w+)*\)/.test(line));
    t.ok(routes.length > 0);
    const served = new Set<string>();
    for (const path of ['/v1/documents', '/v1/documents/:param', '/v1/tasks', '/v1/tasks/:param', '/v1/task-lists', '/v1/task-lists/:param', '/v1/agencies', '/v1/agencies/:param', '/healthz', '/readyz', '/openapi.json']) {
      served.add(`GET ${path}`);
    }
    t.same([...served].filter((route) => !documented.has(route)), []);
    t.same([...documented].filter((route) => !served.has(route)), [], 'and nothing documented is missing');
  });

  t.test('/docs renders the interactive reference', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/docs/' });
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /text\/html/);
    t.match(response.body, /swagger-ui/i);
  });
});
