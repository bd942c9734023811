import t from 'tap';
import { lintOpenApi } from '../../src/cli/openapi-lint.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { PROBLEM_CODES } from '../../src/plugins/problems.js';
import { collapseInputVariants } from '../../src/plugins/openapi-document.js';
import { getJson, setupApp } from '../helpers/app.js';

/** The document as client generators read it (issue 14, part 3). */
t.test('the contract, as generators see it', async (t) => {
  const { app, key } = await setupApp(t);
  const { body: spec } = await getJson(app, '/openapi.json');
  const schemas = spec.components.schemas;
  const operations = Object.entries(spec.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).map(([method, operation]: [string, any]) => ({ path, method, operation })),
  );
  const resolve = (ref: string) => ref.replace(/^#\//, '').split('/').reduce((node: any, part) => node?.[part], spec);

  t.test('Problem.code is the enum of every code the server can send', async (t) => {
    t.same(schemas.Problem.properties.code.enum, PROBLEM_CODES);
    t.same(schemas.ItemProblem.properties.code.enum, ERROR_CODES, 'a batch item fails with a domain error');
    t.same(ERROR_CODES.filter((code) => !PROBLEM_CODES.includes(code)), [], 'every domain code has its status');
    const supervisor = await key('supervisor');
    const answers = [
      await app.inject({ method: 'GET', url: '/v1/tasks/no-such-task' }),
      await app.inject({ method: 'GET', url: '/v1/nowhere' }),
      await app.inject({ method: 'GET', url: '/v1/tasks?limit=0', headers: { authorization: supervisor } }),
      await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-01', headers: { authorization: supervisor }, payload: { dueDate: '2026-12-31' } }),
      await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-01', headers: { authorization: supervisor, 'if-match': '"99"' }, payload: { dueDate: '2026-12-31' } }),
    ];
    t.same(
      answers.map((answer) => answer.json().code),
      ['unauthorized', 'route_not_found', 'validation_failed', 'precondition_required', 'precondition_failed'],
    );
    for (const answer of answers) t.ok(PROBLEM_CODES.includes(answer.json().code), `${answer.json().code} is in the enum`);
  });

  t.test('an invalid transition names its statuses from the status enum', async (t) => {
    t.match(schemas.Problem.properties.currentStatus, { $ref: '#/components/schemas/TaskStatus' });
    t.same(schemas.Problem.properties.allowedStatuses.items, { $ref: '#/components/schemas/TaskStatus' });
    const hrss = await key('agency', 'tj-hrss-bureau');
    const task = await getJson(app, '/v1/tasks/tj-2021-annex2-44');
    const refused = await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: hrss, 'if-match': task.headers.etag as string }, payload: { status: 'verified' } });
    t.equal(refused.statusCode, 409);
    const { currentStatus, allowedStatuses } = refused.json();
    t.ok([currentStatus, ...allowedStatuses].every((status: string) => schemas.TaskStatus.enum.includes(status)), `${currentStatus} → ${allowedStatuses}`);
  });

  t.test('one schema each: no *Input twin of an identical schema', async (t) => {
    for (const name of ['TaskStatus', 'AgencyKind', 'KeyRole', 'AssignmentRole']) {
      t.ok(schemas[name], `${name} is there`);
      t.notOk(schemas[`${name}Input`], `${name}Input is not`);
    }
    for (const name of Object.keys(schemas).filter((n) => n.endsWith('Input') && schemas[n.slice(0, -5)])) {
      t.not(JSON.stringify(schemas[name]), JSON.stringify(schemas[name.slice(0, -5)]), `${name} differs from its twin`);
    }
    t.notMatch(JSON.stringify(spec), /"#\/components\/schemas\/(TaskStatus|AgencyKind|KeyRole|AssignmentRole)Input"/);
  });

  t.test('collapsing keeps input variants that differ, and collapses through references', async (t) => {
    const document = {
      paths: {
        '/x': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/OuterInput' } } } },
            responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Different' } } } } },
          },
        },
      },
      components: {
        schemas: {
          Kind: { type: 'string', enum: ['a', 'b'] },
          KindInput: { type: 'string', enum: ['a', 'b'] },
          Outer: { type: 'object', properties: { kind: { $ref: '#/components/schemas/Kind' } } },
          OuterInput: { type: 'object', properties: { kind: { $ref: '#/components/schemas/KindInput' } } },
          Different: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
          DifferentInput: { type: 'object', properties: { n: { type: 'integer', default: 1 } } },
        },
      },
    };
    const collapsed = collapseInputVariants(document);
    t.same(Object.keys(collapsed.components.schemas), ['Kind', 'Outer', 'Different', 'DifferentInput']);
    t.same(collapsed.paths['/x'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/Outer' });
  });

  t.test('If-Match is required on every route that answers 428, and its absence is still a 428', async (t) => {
    const preconditioned = operations.filter((o) => o.operation.responses['428']);
    t.same(preconditioned.map((o) => `${o.method} ${o.path}`), ['patch /v1/tasks/{id}']);
    for (const { operation } of preconditioned) t.match(operation.parameters.find((p: any) => p.name === 'if-match'), { in: 'header', required: true });
    const missing = await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-01', headers: { authorization: await key('supervisor') }, payload: { dueDate: '2026-12-31' } });
    t.equal(missing.statusCode, 428);
    t.match(missing.headers['content-type'], /^application\/problem\+json/);
  });

  t.test('response headers are typed, those always sent required', async (t) => {
    const headersOf = (path: string, method: string, status: string) => spec.paths[path][method].responses[status].headers;
    t.match(headersOf('/v1/tasks/{id}', 'get', '200').etag, { required: true, schema: { type: 'string' } });
    t.match(headersOf('/v1/tasks/{id}', 'patch', '200').etag, { required: true });
    t.match(headersOf('/v1/reports/overdue', 'get', '200').etag, { required: true });
    t.notOk(headersOf('/v1/reports/overdue', 'get', '200').link.required, 'no link on the last page');
    t.match(headersOf('/v1/tasks/{id}/extension-requests', 'post', '201').location, { required: true, schema: { type: 'string' } });
    t.match(headersOf('/v1/exports/events', 'get', '200').etag, { required: true });
    t.same(headersOf('/healthz', 'get', '429')['retry-after'], { $ref: '#/components/headers/RetryAfter' });
    t.same(headersOf('/readyz', 'get', '503')['retry-after'], { $ref: '#/components/headers/RetryAfter' });
    t.same(headersOf('/v1/tasks', 'get', '401')['www-authenticate'], { $ref: '#/components/headers/WwwAuthenticate' });
    for (const { path, method, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses) as [string, any][]) {
        t.same(response.headers?.['x-request-id'], { $ref: '#/components/headers/RequestId' }, `${method} ${path} ${status} names x-request-id`);
        for (const [name, declared] of Object.entries(response.headers) as [string, any][]) {
          const header = declared.$ref ? resolve(declared.$ref) : declared;
          t.ok(header?.schema, `${method} ${path} ${status} ${name} has a schema`);
          t.notOk(JSON.stringify(header.schema).includes('x-duban-required'), 'the marker does not leak');
        }
      }
    }
    // What the server sends is what the document says it sends.
    const task = await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-01', headers: { authorization: await key('auditor') } });
    t.ok(task.headers.etag && task.headers['x-request-id'] && task.headers['x-ratelimit-limit']);
    const supervisor = await key('supervisor');
    const before = await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: supervisor } });
    await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: supervisor, 'if-match': before.headers.etag as string }, payload: { dueDate: '2026-12-31' } });
    const created = await app.inject({
      method: 'POST',
      url: '/v1/tasks/tj-2021-annex2-44/extension-requests',
      headers: { authorization: await key('agency', 'tj-hrss-bureau') },
      payload: { requestedDueDate: '2027-06-30', reason: '需要更多时间' },
    });
    t.equal(created.statusCode, 201, created.body);
    t.equal(created.headers.location, `/v1/extension-requests/${created.json().id}`);
  });

  t.test('each NDJSON stream names the schema of its rows, a component that resolves', async (t) => {
    const streams = operations.flatMap(({ path, method, operation }) =>
      Object.values(operation.responses).flatMap((response: any) => (response.content?.['application/x-ndjson'] ? [{ path, method, media: response.content['application/x-ndjson'] }] : [])),
    );
    t.same(streams.map((s) => s.path), ['/v1/exports/tasks', '/v1/exports/events']);
    const rows = Object.fromEntries(streams.map((s) => [s.path, s.media['x-ndjson-item']]));
    t.same(rows, { '/v1/exports/tasks': { $ref: '#/components/schemas/Task' }, '/v1/exports/events': { $ref: '#/components/schemas/Event' } });
    for (const ref of Object.values(rows) as { $ref: string }[]) t.equal(resolve(ref.$ref)?.type, 'object', `${ref.$ref} resolves`);
    // The rows the server streams have the members the named schema requires.
    const exported = await app.inject({ method: 'GET', url: '/v1/exports/tasks', headers: { authorization: await key('auditor'), accept: 'application/x-ndjson' } });
    const first = JSON.parse(exported.body.split('\n')[0]!);
    t.same(schemas.Task.required.filter((member: string) => !(member in first)), []);
  });

  t.test('the lint is clean, and a warning fails it', async (t) => {
    const clean = await lintOpenApi(JSON.stringify(spec), 'openapi.json');
    t.same(clean.rules, []);
    t.ok(clean.clean);
    const withoutHealth4xx = structuredClone(spec);
    delete withoutHealth4xx.paths['/healthz'].get.responses['429'];
    const warned = await lintOpenApi(JSON.stringify(withoutHealth4xx), 'openapi.json');
    t.same(warned.rules, ['operation-4xx-response']);
    t.notOk(warned.clean, 'a warning alone makes it unclean');
  });
});
