import { sql } from 'drizzle-orm';
import t from 'tap';
import { encodeCursor } from '../../src/modules/common/cursor.js';
import { setupApp } from '../helpers/app.js';

const longText = 'x'.repeat(201);

/** [url, expected status, path of the offending field (or null when the problem names none)]. */
const cases: [string, number, string | null][] = [
  ['/v1/tasks?limit=0', 400, 'limit'],
  ['/v1/tasks?limit=201', 400, 'limit'],
  ['/v1/tasks?limit=1.5', 400, 'limit'],
  ['/v1/tasks?limit=-3', 400, 'limit'],
  ['/v1/tasks?limit=abc', 400, 'limit'],
  ['/v1/tasks?limit=1e400', 400, 'limit'],
  ['/v1/tasks?limit=', 400, 'limit'],
  ['/v1/tasks?status=done', 400, 'status'],
  ['/v1/tasks?role=boss&agency=tj-hrss-bureau', 400, 'role'],
  ['/v1/tasks?overdue=yes', 400, 'overdue'],
  ['/v1/tasks?stale=1', 400, 'stale'],
  ['/v1/tasks?updatedSince=yesterday', 400, 'updatedSince'],
  ['/v1/tasks?updatedSince=2026-13-45T99:00:00Z', 400, 'updatedSince'],
  ['/v1/tasks?q=', 400, 'q'],
  [`/v1/tasks?q=${longText}`, 400, 'q'],
  ['/v1/tasks?list=UPPER', 400, 'list'],
  ['/v1/tasks?list=a&list=b', 400, 'list'],
  ['/v1/tasks?agency=%00', 400, 'agency'],
  ['/v1/tasks?cursor=not-a-cursor', 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor(['tj-2021-annex2'])}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor(['tj-2021-annex2', 'seven'])}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${Buffer.from('{"__proto__":1}').toString('base64url')}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${'A'.repeat(600)}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor(['tj-2021-annex2', 3e9])}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor(['tj-2021-annex2', 1e300])}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor(['tj-2021-annex2\u0000', 1])}`, 400, 'cursor'],
  [`/v1/tasks?cursor=${encodeCursor([2 ** 60])}&changedAfter=0`, 400, 'cursor'],
  [`/v1/tasks/tj-2021-annex2-08/events?cursor=${encodeCursor([-3e9])}`, 400, 'cursor'],
  [`/v1/audit/events?cursor=${encodeCursor([-1])}`, 400, 'cursor'],
  [`/v1/reports/overdue?cursor=${encodeCursor(['2026-01-01T00:00:00.000Z', 'tj-2021-annex2', 3e9])}`, 400, 'cursor'],
  [`/v1/agencies?cursor=${encodeCursor(['\u0000'])}`, 400, 'cursor'],
  ['/v1/tasks?q=%00', 400, 'q'],
  ['/v1/tasks?q=a%00b', 400, 'q'],
  ['/v1/reports/timeline?from=1900-01-01&to=9999-12-31&interval=day', 400, 'to'],
  ['/v1/reports/timeline?from=2026-01-01&to=2025-01-01', 400, 'to'],
  ['/v1/reports/summary?asOf=0000-01-01', 400, 'asOf'],
  ['/v1/reports/summary?asOf=0000-12-31T23:59:59Z', 400, 'asOf'],
  ['/v1/reports/overdue?asOf=1899-12-31', 400, 'asOf'],
  ['/v1/tasks?updatedSince=0000-01-01T00:00:00Z', 400, 'updatedSince'],
  ['/v1/reports/timeline?from=0000-01-01&to=0001-01-01&interval=month', 400, 'from'],
  [`/v1/reports/overdue?cursor=${encodeCursor(['2099-01-01T00:00:00.000Z', '', 0])}`, 400, 'cursor'],
  [`/v1/reports/stale?cursor=${encodeCursor(['2099-01-01T00:00:00.000Z', '', 0])}`, 400, 'cursor'],
  ['/v1/tasks?stauts=in_progress', 400, ''],
  ['/v1/agencies?kind=Planet!', 400, 'kind'],
  ['/v1/agencies?cursor=%7B%7D', 400, 'cursor'],
  ['/v1/documents?limit=9999999999999999999999', 400, 'limit'],
  ['/v1/task-lists?document=../etc', 400, 'document'],
  ['/v1/tasks/TJ-2021', 400, 'id'],
  ['/v1/tasks/a--b', 400, 'id'],
  [`/v1/tasks/${'a'.repeat(150)}`, 400, 'id'],
  [`/v1/tasks/${'a'.repeat(300)}`, 414, null],
  ['/v1/tasks/%E0%A4%A', 400, null],
  ['/v1/documents/nope', 404, null],
  ['/v1/nothing-here', 404, null],
  ['/v2/tasks', 404, null],
  ['/v1/tasks/', 400, 'id'],
];

t.test('bad input gets a 4xx problem document, never a 500', async (t) => {
  const { app, key } = await setupApp(t);
  const authorization = await key('auditor');
  for (const [url, status, path] of cases) {
    const response = await app.inject({ method: 'GET', url, headers: { authorization } });
    t.equal(response.statusCode, status, `${url.slice(0, 80)} → ${status}`);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${url.slice(0, 80)} is a problem document`);
    const body = response.json();
    t.match(body, { type: /^urn:duban:problem:/, title: String, status, detail: String, instance: String, code: String, requestId: String });
    // Undecodable URLs are answered before any hook runs, the one that sets x-request-id included.
    t.equal(response.headers['x-request-id'], body.requestId, `${url.slice(0, 80)}: requestId is in x-request-id`);
    t.notMatch(body.detail, /\n\s+at |node_modules|SELECT|select .* from/i, 'no stack trace or SQL in the detail');
    if (path !== null) t.ok(body.errors?.some((e: any) => e.path === path), `${url.slice(0, 80)} names ${path || 'the unknown key'}`);
  }
});

t.test('NUL and unpaired surrogates in any text a client sends: 400 naming the field, nothing stored', async (t) => {
  const { app, key } = await setupApp(t);
  const lead = await key('agency', 'tj-hrss-bureau');
  const admin = await key('admin');
  const before = (await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: lead } })).json();
  const poisons = ['a\u0000b', '\ud800', 'x\udfff', '\u0000'];
  const requests = (poison: string): [string, string, string, object, string][] => [
    ['POST', '/v1/tasks/tj-2021-annex2-44/reports', lead, { note: poison }, 'note'],
    ['POST', '/v1/tasks/tj-2021-annex2-44/reports', lead, { note: 'ok', evidence: [`https://example.gov.cn/${poison}`] }, 'evidence.0'],
    ['PATCH', '/v1/tasks/tj-2021-annex2-44', lead, { status: 'in_progress', note: poison }, 'note'],
    ['POST', '/v1/tasks:batch', lead, { items: [{ op: 'report', taskId: 'tj-2021-annex2-44', report: { note: poison } }] }, 'items.0.report.note'],
    ['POST', '/v1/api-keys', admin, { role: 'auditor', label: poison }, 'label'],
    ['POST', '/v1/webhooks', admin, { url: 'https://hooks.example.org/x', description: poison }, 'description'],
    ['POST', '/v1/webhooks', admin, { url: `https://hooks.example.org/${poison}` }, 'url'],
  ];
  for (const poison of poisons) {
    for (const [method, url, authorization, payload, path] of requests(poison)) {
      // JSON.stringify writes an unpaired surrogate as the escape \ud800, the way a hostile client would send it.
      const response = await app.inject({ method: method as 'POST', url, headers: { authorization, 'if-match': '"1"', 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      const label = `${method} ${url} ${JSON.stringify(poison)} in ${path}`;
      t.equal(response.statusCode, 400, label);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.ok(response.json().errors?.some((e: any) => e.path === path), `${label}: names ${path}`);
    }
  }
  const after = (await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: lead } })).json();
  t.equal(after.version, before.version, 'the task did not change');
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys?limit=200', headers: { authorization: admin } })).json().items.length, 3, 'no key was minted (the reader, the lead and the admin)');
});

t.test('bodies are JSON in UTF-8, uncompressed: anything else is refused before it can be stored', async (t) => {
  const { app, key } = await setupApp(t);
  const lead = await key('agency', 'tj-hrss-bureau');
  const before = (await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-11', headers: { authorization: lead } })).json();
  const post = (headers: Record<string, string>, payload: string | Buffer) =>
    app.inject({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-11/reports', headers: { authorization: lead, ...headers }, payload });
  const cases: [string, Record<string, string>, string | Buffer, number, string][] = [
    ['invalid UTF-8', { 'content-type': 'application/json' }, Buffer.from([0x7b, 0x22, 0x6e, 0x6f, 0x74, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'bad_request'],
    ['charset latin1', { 'content-type': 'application/json; charset=latin1' }, '{"note":"x"}', 415, 'unsupported_media_type'],
    ['charset utf-16', { 'content-type': 'application/json;charset="utf-16"' }, '{"note":"x"}', 415, 'unsupported_media_type'],
    ['text/plain', { 'content-type': 'text/plain' }, '{"note":"x"}', 415, 'unsupported_media_type'],
    ['gzip declared', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{"note":"x"}', 415, 'unsupported_media_type'],
    ['br declared', { 'content-type': 'application/json', 'content-encoding': 'br' }, '{"note":"x"}', 415, 'unsupported_media_type'],
  ];
  for (const [what, headers, payload, status, code] of cases) {
    const response = await post(headers, payload);
    t.equal(response.statusCode, status, what);
    t.match(response.headers['content-type'], /^application\/problem\+json/, what);
    t.match(response.json(), { code }, what);
  }
  t.equal((await post({ 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'identity' }, '{"note":"进展"}')).statusCode, 201, 'UTF-8 declared, identity encoding: taken');
  const after = (await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-11', headers: { authorization: lead } })).json();
  t.equal(after.version, before.version + 1, 'only the well-formed report was stored');
});

t.test('methods and bodies the API does not take', async (t) => {
  const { app } = await setupApp(t);
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    const response = await app.inject({ method, url: '/v1/documents', payload: { a: 1 } });
    t.equal(response.statusCode, 404, `${method} /v1/documents is no route`);
    t.match(response.json(), { code: 'route_not_found' });
  }
  const huge = await app.inject({ method: 'POST', url: '/v1/tasks', headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(2_000_000) });
  t.ok(huge.statusCode >= 400 && huge.statusCode < 500, `an oversized body is refused with ${huge.statusCode}`);
});

t.test('a failure inside the server is a 500 problem without internals', async (t) => {
  const { app, database } = await setupApp(t, { PUBLIC_READ: 'true' });
  // A schema the code does not expect: our fault, not the client's, and not an outage.
  await database.handle.db.execute(sql`alter table task_links rename to task_links_gone`);
  const response = await app.inject({ method: 'GET', url: '/v1/tasks' });
  t.equal(response.statusCode, 500);
  const body = response.json();
  t.match(body, { code: 'internal_error', detail: new RegExp(body.requestId) });
  t.notMatch(JSON.stringify(body), /task_links|relation|pglite|select|stack/i);
});
