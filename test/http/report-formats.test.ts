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
    t.match(etag, /^"[A-Za-z0-9+/=]+"$/);
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
