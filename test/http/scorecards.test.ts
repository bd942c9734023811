import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

// 市人社局 leads tasks 11, 27 and 44 of 附件2 and co-operates on 19 more.
const UNIT = 'tj-hrss-bureau';
const card = (query: string) => `/v1/reports/scorecards?from=2026-03-01&to=2026-04-30&agency=${UNIT}${query}`;

t.test('考评: a unit’s record over a period, and its score, as of any moment', async (t) => {
  const { app, key, clock, database } = await setupApp(t);
  // 附件2 reports monthly, by the 28th.
  await database.handle.db.execute(sql`update task_lists set report_cadence = 'monthly', report_due_day = 28 where id = 'tj-2021-annex2'`);
  const hrss = await key('agency', UNIT);
  const supervisor = await key('supervisor');
  const at = (iso: string) => (clock.now = new Date(iso));
  const version = async (id: string) => (await getJson(app, `/v1/tasks/${id}`)).body.version as number;
  const patch = async (authorization: string, id: string, body: object) => t.equal((await patchTask(app, authorization, id, `"${await version(id)}"`, body)).status, 200, JSON.stringify(body));

  await patch(supervisor, 'tj-2021-annex2-11', { dueDate: '2026-03-10' });
  await patch(supervisor, 'tj-2021-annex2-27', { dueDate: '2026-03-31' });
  await patch(supervisor, 'tj-2021-annex2-44', { dueDate: '2026-02-20' });
  t.equal((await app.inject({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-11/receipt', headers: { authorization: hrss } })).statusCode, 201);

  at('2026-03-02T09:00:00Z');
  const asked = await app.inject({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-44/extension-requests', headers: { authorization: hrss }, payload: { requestedDueDate: '2026-05-31', reason: '补申请' } });
  t.equal(asked.statusCode, 201);
  at('2026-03-03T09:00:00Z');
  t.equal((await app.inject({ method: 'POST', url: `/v1/extension-requests/${asked.json().id}/decision`, headers: { authorization: supervisor }, payload: { decision: 'refused', note: '已逾期' } })).statusCode, 200);
  at('2026-03-05T09:00:00Z');
  await patch(hrss, 'tj-2021-annex2-11', { status: 'completed', progress: 100 });

  at('2026-03-06T12:00:00Z');
  const servedThen = (await getJson(app, card(''))).body;
  t.match(servedThen.items, [{ agencyId: UNIT, completedOnTime: 1, completedLate: 0, overdueNow: 1, daysOverdue: 14, reportsOnTime: 0, reportsMissed: 0 }], 'March is not due yet');

  at('2026-03-10T09:00:00Z');
  t.equal((await postReport(app, hrss, 'tj-2021-annex2-27', { note: '3月进展' })).status, 201, 'March’s report on task 27, on time');
  at('2026-03-29T09:00:00Z');
  t.equal((await postReport(app, hrss, 'tj-2021-annex2-44', { note: '3月进展（补报）' })).status, 201, 'on task 44, a day late');
  at('2026-04-05T09:00:00Z');
  await patch(hrss, 'tj-2021-annex2-27', { status: 'completed', progress: 100 });
  at('2026-04-10T09:00:00Z');

  t.test('the record and the score', async (t) => {
    const { status, body } = await getJson(app, card(''));
    t.equal(status, 200);
    t.match(body, { asOf: '2026-04-10T09:00:00.000Z', from: '2026-03-01T00:00:00.000Z', to: '2026-04-10T09:00:00.000Z' });
    t.same(body.items, [
      {
        agencyId: UNIT,
        name: '市人社局',
        kind: 'municipal_department',
        led: 3,
        coOperated: 19,
        completedOnTime: 1,
        completedLate: 1,
        overdueNow: 1,
        daysOverdue: 49,
        extensionsRequested: 1,
        extensionsApproved: 0,
        reportsOnTime: 1,
        reportsLate: 1,
        reportsMissed: 20,
        assignments: 22,
        receiptsPending: 21,
        parts: { completion: 0.5, timeliness: 0.6667, reporting: 0.0455, receipt: 0.0455 },
        score: 40.4,
      },
    ]);
  });

  t.test('as of a past moment, what was served then', async (t) => {
    t.same((await getJson(app, card('&asOf=2026-03-06T12:00:00Z'))).body, servedThen);
  });

  t.test('a period before the completions counts none of them', async (t) => {
    const { body } = await getJson(app, `/v1/reports/scorecards?from=2026-01-01&to=2026-02-28&agency=${UNIT}`);
    t.match(body.items[0], { completedOnTime: 0, completedLate: 0, extensionsRequested: 0, overdueNow: 1, parts: { completion: null } });
    t.match(body.items[0], { reportsOnTime: 0, reportsLate: 0, reportsMissed: 44 }, 'January’s and February’s periods closed with no report on any of its 22 assignments');
  });

  t.test('every unit with tasks in scope, and CSV with the parts as columns', async (t) => {
    const all = (await getJson(app, '/v1/reports/scorecards?from=2026-03-01&to=2026-04-30&list=tj-2021-annex2')).body.items;
    t.ok(all.length > 10);
    t.same(
      all.map((row: { agencyId: string }) => row.agencyId),
      [...all.map((row: { agencyId: string }) => row.agencyId)].sort(),
    );
    t.ok(all.some((row: { agencyId: string }) => row.agencyId === 'tj-district-heping'), 'a district is scored on its group’s tasks');
    const csv = await app.inject({ method: 'GET', url: card(''), headers: { authorization: await key('auditor'), accept: 'text/csv' } });
    t.equal(csv.statusCode, 200);
    const [row] = parse(csv.body, { columns: true }) as Record<string, string>[];
    t.match(row, { agencyId: UNIT, 'parts.completion': '0.5', score: '40.4', daysOverdue: '49', reportsMissed: '20' });
  });

  t.test('bad periods are 400s', async (t) => {
    t.equal((await getJson(app, `/v1/reports/scorecards?from=2026-04-30&to=2026-03-01`)).status, 400);
    t.equal((await getJson(app, `/v1/reports/scorecards?from=2026-03-01`)).status, 400);
    t.equal((await getJson(app, `/v1/reports/scorecards?from=2026-02-30&to=2026-03-01`)).status, 400);
    const decades = await getJson(app, `/v1/reports/scorecards?from=1990-01-01&to=2026-03-31`);
    t.equal(decades.status, 400, 'a range of more reporting periods than a scorecard walks');
    t.match(decades.body, { code: 'validation_failed', errors: [{ path: 'to', message: /120 periods of tj-2021-annex2/ }] });
  });
});
