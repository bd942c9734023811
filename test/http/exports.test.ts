import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { assertCsvMatches, readCsv } from '../helpers/csv.js';
import { patchTask, postReport } from '../helpers/requests.js';

const lines = (body: string) =>
  body
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));

t.test('exports', async (t) => {
  const { app, key, clock } = await setupApp(t);
  const auditor = await key('auditor');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { authorization: auditor, ...headers } });

  t.test('tasks as NDJSON: every task, in order, as the API serves them', async (t) => {
    const response = await get('/v1/exports/tasks');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/x-ndjson/);
    const exported = lines(response.body);
    const listed = (await getJson(app, '/v1/tasks?limit=200', auditor)).body.items;
    t.same(exported, listed);
  });

  t.test('tasks as CSV parse back to the same values', async (t) => {
    const response = await get('/v1/exports/tasks?bom=true', { accept: 'text/csv' });
    t.match(response.headers['content-type'], /^text\/csv/);
    t.equal(response.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
    const parsed = parse(response.body, { columns: true, bom: true }) as Record<string, string>[];
    const listed = (await getJson(app, '/v1/tasks?limit=200', auditor)).body.items;
    t.equal(parsed.length, 58);
    assertCsvMatches(t, response.body, listed, 'tasks export', ['assignments', 'indicators']);
    t.same(readCsv(response.body).header.slice(0, 10), ['id', 'listId', 'parentId', 'number', 'label', 'position', 'title', 'text', 'articleId', 'responsibleText'], 'columns in schema order');
    t.same(JSON.parse(parsed[41]!.assignments!), listed[41].assignments, 'assignments survive as JSON');
    t.equal(parsed.find((row) => row.id === 'tj-2021-annex1-04')!.relatedTaskIds, 'tj-2021-annex2-32');
  });

  t.test('events resume from a position, and 304 when nothing is new', async (t) => {
    const all = await get('/v1/exports/events');
    const events = lines(all.body);
    t.equal(events.length, 58);
    const etag = all.headers.etag as string;
    t.equal((await get('/v1/exports/events', { 'if-none-match': etag })).statusCode, 304);
    await postReport(app, hrss, 'tj-2021-annex2-08', { note: '增量' });
    const fresh = await get(`/v1/exports/events?since=${events.at(-1).id}`);
    t.same(lines(fresh.body).map((e: any) => [e.id, e.taskId, e.type]), [[59, 'tj-2021-annex2-08', 'progress_reported']]);
    t.equal((await get('/v1/exports/events', { 'if-none-match': etag })).statusCode, 200, 'a new event changes the ETag');
    const csv = parse((await get('/v1/exports/events?since=58', { accept: 'text/csv' })).body, { columns: true }) as Record<string, string>[];
    t.match(csv, [{ id: '59', taskId: 'tj-2021-annex2-08', note: '增量', 'actor.agencyId': 'tj-hrss-bureau', 'state.status': 'not_started' }]);
  });

  t.test('the tasks export ETag changes exactly when what it says may change', async (t) => {
    const report = await postReport(app, hrss, 'tj-2021-annex2-27', { note: '月报' });
    t.equal(report.status, 201);
    const reportedAt = clock.now.getTime();
    const at = async (offsetMs: number, headers: Record<string, string> = {}) => {
      clock.now = new Date(reportedAt + offsetMs);
      return get('/v1/exports/tasks', headers);
    };
    const day = 86_400_000;
    const before = await at(30 * day - 2 * 3_600_000);
    const etag = before.headers.etag as string;
    t.match(etag, /^W\/"tasks-[\w-]+"$/, 'weak: rows may change while it streams');
    t.equal((await at(30 * day - 3_600_000, { 'if-none-match': etag })).statusCode, 304, 'an hour later, same day, nothing turned');
    t.equal((await at(30 * day - 3_600_000, { 'if-none-match': `"other", ${etag.slice(2)}` })).statusCode, 304, 'weak comparison, in a list');
    const stale = await at(30 * day, { 'if-none-match': etag });
    t.equal(stale.statusCode, 200, 'task 27 turned stale with the clock alone');
    t.not(stale.headers.etag, etag);
    t.equal(lines(before.body).find((task: any) => task.id === 'tj-2021-annex2-27').stale, false);
    t.equal(lines(stale.body).find((task: any) => task.id === 'tj-2021-annex2-27').stale, true);
    t.not((await get('/v1/exports/tasks', { accept: 'text/csv' })).headers.etag, stale.headers.etag, 'each format has its own tag');
    t.equal((await get('/v1/exports/tasks', { 'if-none-match': stale.headers.etag as string })).statusCode, 304);
    await postReport(app, hrss, 'tj-2021-annex2-27', { note: '再报' });
    t.equal((await get('/v1/exports/tasks', { 'if-none-match': stale.headers.etag as string })).statusCode, 200, 'a new event changes it');
  });

  t.test('an events export with nothing new still carries its header', async (t) => {
    const position = lines((await get('/v1/exports/events')).body).at(-1).id;
    const whole = readCsv((await get('/v1/exports/events', { accept: 'text/csv' })).body).header;
    const empty = await get(`/v1/exports/events?since=${position}`, { accept: 'text/csv' });
    t.equal(empty.statusCode, 200);
    t.equal(empty.body, `${whole.join(',')}\r\n`);
  });

  t.test('access and negotiation', async (t) => {
    t.equal((await app.inject({ method: 'GET', url: '/v1/exports/events', headers: { authorization: hrss } })).statusCode, 403);
    t.equal((await get('/v1/exports/tasks', { accept: 'application/xml' })).statusCode, 406);
    t.equal((await get('/v1/exports/events?since=-1')).statusCode, 400);
  });
});

t.test('the events CSV says what the NDJSON says, for every event type, with one header for every range', async (t) => {
  const { app, key } = await setupApp(t);
  const auditor = await key('auditor');
  const supervisor = await key('supervisor');
  const hrss = await key('agency', 'tj-hrss-bureau'); // 市人社局 leads task 44
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { authorization: auditor, ...headers } });

  const task = 'tj-2021-annex2-44';
  let etag = '"1"';
  const patch = async (authorization: string, body: object) => {
    const response = await patchTask(app, authorization, task, etag, body);
    t.equal(response.status, 200, JSON.stringify(body));
    etag = response.headers.etag as string;
  };
  await patch(hrss, { status: 'in_progress', progress: 10 }); // status_changed
  await patch(hrss, { progress: 40 }); // progress_updated
  t.equal((await postReport(app, hrss, task, { note: '含逗号, "引号" 与\n换行', progress: 50, evidence: ['https://hrss.tj.gov.cn/a.html', 'https://hrss.tj.gov.cn/b.html'] })).status, 201);
  t.equal((await postReport(app, hrss, task, { note: '无进度变化' })).status, 201); // progress_reported, no changes
  etag = (await get(`/v1/tasks/${task}`)).headers.etag as string;
  await patch(hrss, { status: 'completed', progress: 100 });
  await patch(hrss, { status: 'in_progress' }); // completion_withdrawn
  await patch(hrss, { status: 'completed' });
  await patch(supervisor, { status: 'in_progress', note: '材料不全' }); // completion_rejected
  await patch(hrss, { status: 'completed' });
  await patch(supervisor, { status: 'verified' }); // verified
  await patch(supervisor, { status: 'in_progress', note: '复查' }); // reopened
  await patch(supervisor, { dueDate: '2026-06-30' }); // due_date_set

  const ndjson = lines((await get('/v1/exports/events')).body);
  const types = ['created', 'status_changed', 'completion_withdrawn', 'verified', 'completion_rejected', 'reopened', 'progress_updated', 'due_date_set', 'progress_reported'];
  t.same([...new Set(ndjson.map((event: any) => event.type))].sort(), [...types].sort(), 'every event type is in the ledger');
  const csv = (await get('/v1/exports/events', { accept: 'text/csv' })).body;
  const eventObjectLists = ['state.assignments', 'changes.assignments.from', 'changes.assignments.to'];
  assertCsvMatches(t, csv, ndjson, 'events since 0', eventObjectLists);

  const { header } = readCsv(csv);
  for (const column of ['changes.status.from', 'changes.status.to', 'changes.progress.from', 'changes.progress.to', 'changes.dueDate.from', 'changes.dueDate.to', 'evidence', 'state.status']) {
    t.ok(header.includes(column), column);
  }
  for (const since of [57, 58, 59, 60, 62, ndjson.at(-1).id]) {
    const page = (await get(`/v1/exports/events?since=${since}`, { accept: 'text/csv' })).body;
    t.same(readCsv(page).header, header, `since=${since}: the same header`);
    assertCsvMatches(t, page, ndjson.filter((event: any) => event.id > since), `events since ${since}`, eventObjectLists);
  }
  const reported = readCsv(csv).rows.find((row) => row.note === '含逗号, "引号" 与\n换行')!;
  t.match(reported, { type: 'progress_reported', 'changes.progress.from': '40', 'changes.progress.to': '50', 'changes.status.from': '', evidence: 'https://hrss.tj.gov.cn/a.html https://hrss.tj.gov.cn/b.html' });
});

t.test('an export still streaming after EXPORT_MAX_SECONDS is aborted, never cut short silently', async (t) => {
  const { app, database, key } = await setupApp(t, { EXPORT_MAX_SECONDS: '1' });
  // 30,000 more events (about 15 MB of NDJSON), more than the socket buffers hold for a reader that stalls.
  await database.handle.db.execute(sql`
    insert into task_events (id, task_id, seq, type, at, actor_role, changes, evidence, state, prev_hash, hash, hash_version)
    select 58 + g, 'tj-2021-annex2-01', 1 + g, 'progress_reported', now(), 'system', '{}'::jsonb, '[]'::jsonb,
      '{"status":"not_started","progress":0,"dueDate":null,"lastReportAt":null}'::jsonb, repeat('0', 64), repeat('a', 64), 2
    from generate_series(1, 30000) g`);
  await database.handle.db.execute(sql`update ledger_state set position = 30058`);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const authorization = await key('auditor');

  const outcome = await new Promise<{ complete: boolean; bytes: number }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/v1/exports/events', headers: { authorization } }, (response) => {
      let bytes = 0;
      response.pause(); // a reader that stalls
      setTimeout(() => {
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.resume();
      }, 2500);
      response.on('error', () => undefined);
      response.on('close', () => resolve({ complete: response.complete, bytes }));
    }).on('error', reject);
  });
  t.equal(outcome.complete, false, `the transfer broke off after ${outcome.bytes} bytes, so the client knows it is incomplete`);
  t.ok(outcome.bytes < 15_000_000, 'before the whole export was sent');
});
