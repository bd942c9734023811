import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { assertCsvMatches, readCsv } from '../helpers/csv.js';
import { patchTask, postReport } from '../helpers/requests.js';

t.test('report formats: CSV, ETag, negotiation', async (t) => {
  const { app, key } = await setupApp(t);
  const auditor = await key('auditor');
  const supervisor = await key('supervisor');
  const hrss = await key('agency', 'tj-hrss-bureau');
  await patchTask(app, supervisor, 'tj-2021-annex2-01', '"1"', { dueDate: '2026-02-01' });
  await postReport(app, hrss, 'tj-2021-annex2-08', { note: '含逗号, "引号" 与\n换行的说明' });

  const csvOf = async (url: string, extra: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { authorization: auditor, accept: 'text/csv', ...extra } });

  // Each report, how its JSON reads as rows, and the same report where it has no rows (or other ones).
  const cases: [string, (body: any) => Record<string, unknown>[], string][] = [
    ['/v1/reports/summary', (b) => [b], '/v1/reports/summary?asOf=2025-12-31'],
    ['/v1/reports/agencies', (b) => b.items.map((r: any) => ({ asOf: b.asOf, ...r })), '/v1/reports/agencies?asOf=2025-12-31'],
    [
      '/v1/reports/articles?document=tj-2021',
      (b) => b.parts.flatMap((p: any) => p.articles.map((a: any) => ({ asOf: b.asOf, partId: p.id, partNumber: p.number, partTitle: p.title, ...a }))),
      '/v1/reports/articles?document=tj-2021&asOf=2025-12-31',
    ],
    ['/v1/reports/overdue', (b) => b.items.map((r: any) => ({ asOf: b.asOf, ...r })), '/v1/reports/overdue?list=tj-2021-annex1'],
    ['/v1/reports/stale', (b) => b.items.map((r: any) => ({ asOf: b.asOf, ...r })), '/v1/reports/stale?asOf=2025-12-31'],
    ['/v1/reports/timeline?from=2026-01-01&to=2026-03-31', (b) => b.points.map((p: any) => ({ interval: b.interval, ...p })), '/v1/reports/timeline?from=2025-01-01&to=2025-01-01&interval=day'],
  ];

  t.test('CSV parses back, with a real parser, to the values of the JSON', async (t) => {
    for (const [url, rowsOf] of cases) {
      const json = (await getJson(app, url, auditor)).body;
      const response = await csvOf(url);
      t.equal(response.statusCode, 200, url);
      t.match(response.headers['content-type'], /^text\/csv; charset=utf-8/);
      t.ok(response.body.includes('\r\n'), 'CRLF line ends (RFC 4180)');
      t.ok(rowsOf(json).length > 0, `${url} has rows`);
      assertCsvMatches(t, response.body, rowsOf(json), url);
    }
  });

  t.test('the header comes from the schema: the same with other rows or none', async (t) => {
    for (const [url, rowsOf, other] of cases) {
      const { header } = readCsv((await csvOf(url)).body);
      const otherCsv = (await csvOf(other)).body;
      t.same(readCsv(otherCsv).header, header, `${other} has the header of ${url}`);
      assertCsvMatches(t, otherCsv, rowsOf((await getJson(app, other, auditor)).body), other);
    }
    const empty = await csvOf('/v1/reports/overdue?list=tj-2021-annex1');
    t.equal(empty.body, 'asOf,taskId,listId,number,text,status,progress,dueDate,daysLate,lastReportAt,daysSinceReport,leadAgencyId,leadAgencyName\r\n', 'no overdue task: the header alone');
    t.same(readCsv((await csvOf('/v1/reports/summary')).body).header.slice(0, 4), ['asOf', 'total', 'byStatus.not_started', 'byStatus.in_progress']);
  });

  t.test('bom=true starts the CSV with a UTF-8 byte order mark', async (t) => {
    t.equal((await csvOf('/v1/reports/summary?bom=true')).rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
    t.not((await csvOf('/v1/reports/summary')).rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
  });

  t.test('ETag and If-None-Match: 304 while unchanged, 200 after a write', async (t) => {
    const first = await app.inject({ method: 'GET', url: '/v1/reports/summary', headers: { authorization: auditor } });
    const etag = first.headers.etag as string;
    t.match(etag, /^W\/"summary-[\w-]+"$/, 'weak: a live asOf moves while what the report says does not');
    const again = await app.inject({ method: 'GET', url: '/v1/reports/summary', headers: { authorization: auditor, 'if-none-match': etag } });
    t.equal(again.statusCode, 304);
    t.equal(again.body, '');
    const csv = await csvOf('/v1/reports/summary');
    t.not(csv.headers.etag, etag, 'the CSV representation has its own validator');
    await postReport(app, hrss, 'tj-2021-annex2-11', { note: '新进展' });
    const after = await app.inject({ method: 'GET', url: '/v1/reports/summary', headers: { authorization: auditor, 'if-none-match': etag } });
    t.equal(after.statusCode, 200);
    t.not(after.headers.etag, etag);
  });

  t.test('an Accept the reports cannot meet is 406', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/v1/reports/summary', headers: { authorization: auditor, accept: 'application/xml' } });
    t.equal(response.statusCode, 406);
    t.match(response.json(), { code: 'not_acceptable' });
    t.equal((await app.inject({ method: 'GET', url: '/v1/reports/summary', headers: { authorization: auditor, accept: '*/*' } })).headers['content-type'], 'application/json; charset=utf-8');
  });
});

t.test('report ETags name what the report depends on', async (t) => {
  // A one-day stale threshold, so tasks turn stale within the hours the clock is moved over.
  const { app, key, clock } = await setupApp(t, { STALE_AFTER_DAYS: '1' });
  const auditor = await key('auditor');
  const supervisor = await key('supervisor');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const justice = await key('agency', 'tj-justice-bureau'); // 市司法局 leads task 1
  const start = clock.now; // 2026-03-01T12:00Z
  const minutes = (n: number) => new Date(start.getTime() + n * 60_000);
  await patchTask(app, supervisor, 'tj-2021-annex2-01', '"1"', { dueDate: '2026-02-01' }); // overdue
  await patchTask(app, supervisor, 'tj-2021-annex2-02', '"1"', { dueDate: '2026-03-01' }); // overdue from 2026-03-02
  await postReport(app, hrss, 'tj-2021-annex2-08', { note: '月报' }); // stale again from 2026-03-02T12:00
  clock.now = minutes(30);
  await postReport(app, justice, 'tj-2021-annex2-01', { note: '整改中' }); // an overdue task: its daysSinceReport turns at 12:30

  const urls = [
    '/v1/reports/summary',
    '/v1/reports/agencies',
    '/v1/reports/articles?document=tj-2021',
    '/v1/reports/overdue',
    '/v1/reports/stale',
    '/v1/reports/stale?days=3',
    '/v1/reports/timeline?from=2026-02-01&to=2026-03-31&interval=week',
  ];
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { authorization: auditor, ...headers } });
  /** The report without the moments that follow the clock: what its ETag promises stays the same. */
  const said = (body: string) => JSON.stringify(JSON.parse(body), (key, value) => (key === 'asOf' ? undefined : value));

  t.test('a little later: 304 in either format, though asOf moved', async (t) => {
    for (const url of urls) {
      for (const accept of ['application/json', 'text/csv']) {
        clock.now = minutes(31);
        const first = await get(url, { accept });
        t.equal(first.statusCode, 200);
        clock.now = minutes(40);
        const again = await get(url, { accept, 'if-none-match': first.headers.etag as string });
        t.equal(again.statusCode, 304, `${url} as ${accept}`);
        t.equal(again.headers.etag, first.headers.etag);
        t.equal(again.body, '');
      }
    }
  });

  t.test('a write gives every report a new tag', async (t) => {
    clock.now = minutes(41);
    const before = await Promise.all(urls.map((url) => get(url)));
    await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'in_progress' });
    for (const [i, url] of urls.entries()) {
      const after = await get(url, { 'if-none-match': before[i]!.headers.etag as string });
      t.equal(after.statusCode, 200, url);
      t.not(after.headers.etag, before[i]!.headers.etag, url);
    }
  });

  t.test('the clock alone: a new tag whenever what the report says changed, 304 otherwise', async (t) => {
    // Every 35 minutes for two days: across midnight (task 2 turns overdue) and the hours when
    // tasks 8 and 1 turn stale and their days since report grow.
    for (const url of urls) {
      let previous: { etag: string; said: string } | undefined;
      let unchanged = 0;
      let changed = 0;
      for (let step = 0; step <= 2 * 24 * 60; step += 35) {
        clock.now = minutes(45 + step);
        const response = await get(url, previous ? { 'if-none-match': previous.etag } : {});
        if (response.statusCode === 304) {
          unchanged += 1;
          clock.now = minutes(45 + step);
          t.equal(said((await get(url)).body), previous!.said, `${url} at ${clock.now.toISOString()}: 304 only while the report says the same`);
          continue;
        }
        t.equal(response.statusCode, 200);
        const now = { etag: response.headers.etag as string, said: said(response.body) };
        if (previous) {
          changed += 1;
          t.not(now.etag, previous.etag);
        }
        previous = now;
      }
      t.ok(unchanged > 0 && changed > 0, `${url}: ${unchanged} × 304, ${changed} new tags`);
    }
  });

  t.test('past midnight, overdue changes and so does the tag', async (t) => {
    clock.now = new Date('2026-03-01T23:50:00Z');
    const before = await get('/v1/reports/summary');
    clock.now = new Date('2026-03-02T00:10:00Z');
    const after = await get('/v1/reports/summary', { 'if-none-match': before.headers.etag as string });
    t.equal(after.statusCode, 200);
    t.equal(after.json().overdue, before.json().overdue + 1, 'task 2 is overdue from today');
  });

  t.test('a task turning stale with the clock alone changes the tag the same day', async (t) => {
    clock.now = new Date('2026-03-02T11:00:00Z');
    const before = await get('/v1/reports/summary');
    clock.now = new Date('2026-03-02T12:15:00Z');
    const after = await get('/v1/reports/summary', { 'if-none-match': before.headers.etag as string });
    t.equal(after.statusCode, 200);
    t.equal(after.json().stale, before.json().stale + 1, 'task 8 went a day without a report');
  });

  t.test('a report of a past moment keeps its tag while the clock moves', async (t) => {
    for (const url of ['/v1/reports/summary?asOf=2026-02-15', '/v1/reports/overdue?asOf=2026-03-01T12:10:00Z']) {
      clock.now = new Date('2026-03-05T10:00:00Z');
      const first = await get(url);
      clock.now = new Date('2026-03-09T18:00:00Z');
      t.equal((await get(url, { 'if-none-match': first.headers.etag as string })).statusCode, 304, url);
    }
  });
});

t.test('reports and exports vary by Accept, so a cache never hands out the other format', async (t) => {
  const { app, key } = await setupApp(t);
  const auditor = await key('auditor');
  for (const url of ['/v1/reports/summary', '/v1/reports/overdue', '/v1/exports/tasks', '/v1/exports/events']) {
    for (const accept of ['application/json, application/x-ndjson', 'text/csv']) {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: auditor, accept } });
      t.match(response.headers.vary, /accept/i, `${url} as ${accept}`);
      const revalidated = await app.inject({ method: 'GET', url, headers: { authorization: auditor, accept, 'if-none-match': String(response.headers.etag) } });
      t.equal(revalidated.statusCode, 304, `${url} as ${accept}: 304`);
      t.match(revalidated.headers.vary, /accept/i, 'on the 304 too');
    }
  }
});
