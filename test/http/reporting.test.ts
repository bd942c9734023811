import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { reminders, webhookDeliveries } from '../../src/db/schema/index.js';
import {
  firstReports,
  judged,
  lastDuePeriod,
  parsePeriod,
  periodAt,
  type Reporting,
  reportingStatus,
  shiftPeriod,
} from '../../src/domain/reporting.js';
import { createReminderScheduler } from '../../src/modules/reminders/scheduler.js';
import { appInstances, getJson, NOW, setupApp, type TestContext } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

const monthly: Reporting = { cadence: 'monthly', dueDay: 28 };
const quarterly: Reporting = { cadence: 'quarterly', dueDay: 15 };
const at = (iso: string) => new Date(iso);
const task = (n: number) => `tj-2021-annex2-${String(n).padStart(2, '0')}`;
const LOCAL_TARGETS = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };

t.test('periods: ids, windows and due dates (UTC)', async (t) => {
  const march = parsePeriod('2026-03', monthly)!;
  t.same(march, { id: '2026-03', start: at('2026-03-01T00:00:00Z'), end: at('2026-04-01T00:00:00Z'), dueDate: '2026-03-28' });
  t.same(parsePeriod('2026-02', { cadence: 'monthly', dueDay: 1 })!.dueDate, '2026-02-01');
  t.same(parsePeriod('2026-12', monthly)!.end, at('2027-01-01T00:00:00Z'), 'December ends with the year');
  const q1 = parsePeriod('2026-Q1', quarterly)!;
  t.same(q1, { id: '2026-Q1', start: at('2026-01-01T00:00:00Z'), end: at('2026-04-01T00:00:00Z'), dueDate: '2026-03-15' }, 'a quarter is due in its last month');
  t.same(parsePeriod('2026-Q4', quarterly)!.dueDate, '2026-12-15');
  for (const id of ['2026-Q1', '2026-13', '2026-00', '2026-3', '26-03', '1969-12', '9999-12']) t.equal(parsePeriod(id, monthly), null, `monthly: ${id}`);
  for (const id of ['2026-03', '2026-Q5', '2026-Q0']) t.equal(parsePeriod(id, quarterly), null, `quarterly: ${id}`);
  t.equal(periodAt(at('2026-03-31T23:59:59.999Z'), monthly).id, '2026-03');
  t.equal(periodAt(at('2026-04-01T00:00:00Z'), monthly).id, '2026-04');
  t.equal(periodAt(at('2026-03-31T23:59:59.999Z'), quarterly).id, '2026-Q1', 'the last instant of a quarter');
  t.equal(periodAt(at('2026-04-01T00:00:00Z'), quarterly).id, '2026-Q2', 'the first of the next');
  t.equal(shiftPeriod(parsePeriod('2026-01', monthly)!, -1, monthly).id, '2025-12');
  t.equal(shiftPeriod(parsePeriod('2026-Q4', quarterly)!, 1, quarterly).id, '2027-Q1');
});

t.test('a unit in a period: on time, late, missing, not due', async (t) => {
  const march = parsePeriod('2026-03', monthly)!;
  const later = at('2026-04-15T00:00:00Z');
  t.equal(reportingStatus(at('2026-03-28T23:59:59.999Z'), march, later), 'on_time', 'on the due day itself, to its last instant');
  t.equal(reportingStatus(at('2026-03-01T00:00:00Z'), march, later), 'on_time', 'the first instant of the period');
  t.equal(reportingStatus(at('2026-03-29T00:00:00Z'), march, later), 'late', 'the day after');
  t.equal(reportingStatus(at('2026-03-31T23:59:59.999Z'), march, later), 'late', 'the last instant of the period');
  t.equal(reportingStatus(at('2026-02-27T10:00:00Z'), march, later), 'missing', 'a report in the previous month does not count');
  t.equal(reportingStatus(at('2026-04-01T00:00:00Z'), march, later), 'missing', 'nor one in the next');
  t.equal(reportingStatus(null, march, at('2026-03-28T23:59:59.999Z')), 'not_due', 'none yet on the due day: not due');
  t.equal(reportingStatus(null, march, at('2026-03-29T00:00:00Z')), 'missing', 'none the day after: missing');
  t.equal(reportingStatus(null, march, at('2026-02-01T00:00:00Z')), 'not_due', 'a period to come');
  t.equal(reportingStatus(at('2026-03-30T00:00:00Z'), march, at('2026-03-29T12:00:00Z')), 'missing', 'a report after the moment asked about is not known then');

  const q1 = parsePeriod('2026-Q1', quarterly)!;
  t.equal(reportingStatus(at('2026-01-01T00:00:00Z'), q1, later), 'on_time', 'a quarter from its first instant');
  t.equal(reportingStatus(at('2026-03-15T23:00:00Z'), q1, later), 'on_time');
  t.equal(reportingStatus(at('2026-03-31T23:59:59.999Z'), q1, later), 'late', 'late to the quarter’s last instant');
  t.equal(reportingStatus(at('2026-04-01T00:00:00Z'), q1, later), 'missing', 'the next quarter’s report does not count');

  t.equal(lastDuePeriod(monthly, at('2026-03-28T23:00:00Z')).id, '2026-02', 'on the due day, the last period due is the one before');
  t.equal(lastDuePeriod(monthly, at('2026-03-29T00:00:00Z')).id, '2026-03');
  t.equal(lastDuePeriod(quarterly, at('2026-03-01T00:00:00Z')).id, '2025-Q4');
  t.equal(lastDuePeriod(quarterly, at('2026-03-16T00:00:00Z')).id, '2026-Q1');
});

t.test('whose report counts for which assignment, and which tasks a period judges', async (t) => {
  const march = parsePeriod('2026-03', monthly)!;
  const now = at('2026-04-10T00:00:00Z');
  const assignments = [
    { agencyId: 'tj-hrss-bureau', role: 'lead' as const },
    { agencyId: 'tj-education-commission', role: 'co' as const },
    { agencyId: 'tj-district-governments', role: 'co' as const },
  ];
  const groupsOf = (id: string) => (id.startsWith('tj-district-') && id !== 'tj-district-governments' ? ['tj-district-governments'] : []);
  const first = firstReports(
    [
      { agencyId: 'tj-district-hexi', at: at('2026-03-20T00:00:00Z') },
      { agencyId: 'tj-district-heping', at: at('2026-03-05T00:00:00Z') },
      { agencyId: 'tj-hrss-bureau', at: at('2026-02-28T00:00:00Z') },
      { agencyId: 'tj-hrss-bureau', at: at('2026-03-30T00:00:00Z') },
      { agencyId: 'tj-finance-bureau', at: at('2026-03-02T00:00:00Z') },
    ],
    assignments,
    groupsOf,
    march,
    now,
  );
  t.same(first.get('tj-district-governments'), { agencyId: 'tj-district-heping', at: at('2026-03-05T00:00:00Z') }, 'the first district to report reports for the group');
  t.same(first.get('tj-hrss-bureau')?.at, at('2026-03-30T00:00:00Z'), 'February’s report does not count for March');
  t.notOk(first.has('tj-education-commission'));
  t.equal(first.size, 2, 'an agency the task does not name counts for nothing');

  const work = { createdAt: at('2026-01-05T00:00:00Z'), statusAtStart: 'in_progress' as const, childCount: 0 };
  t.ok(judged(work, march));
  t.notOk(judged({ ...work, childCount: 2 }, march), 'a parent is not judged: its units report on its children');
  t.notOk(judged({ ...work, statusAtStart: 'completed' }, march), 'done before the period began');
  t.notOk(judged({ ...work, statusAtStart: 'verified' }, march));
  t.ok(judged({ ...work, createdAt: at('2026-03-28T23:59:59.999Z'), statusAtStart: null }, march), 'created by the end of the due date');
  t.notOk(judged({ ...work, createdAt: at('2026-03-29T00:00:00Z'), statusAtStart: null }, march), 'created after the due date: it could not have been on time');
  t.notOk(judged({ ...work, createdAt: at('2026-04-02T00:00:00Z'), statusAtStart: null }, march), 'created after the period closed');

});

async function setCadence({ database }: TestContext, listId: string, cadence: string | null, dueDay: number | null) {
  await database.handle.db.execute(sql`update task_lists set report_cadence = ${cadence}, report_due_day = ${dueDay} where id = ${listId}`);
}

t.test('GET /v1/reports/reporting', async (t) => {
  const context = await setupApp(t);
  const { app, key, clock } = context;
  await setCadence(context, 'tj-2021-annex2', 'monthly', 28);
  await setCadence(context, 'tj-2021-annex1', 'quarterly', 15);
  const hrss = await key('agency', 'tj-hrss-bureau');
  const education = await key('agency', 'tj-education-commission');
  const heping = await key('agency', 'tj-district-heping');
  const moe = await key('agency', 'moe');
  const supervisor = await key('supervisor');
  const report = async (query: string) => getJson(app, `/v1/reports/reporting?${query}`);
  const row = (body: any, taskId: string, agencyId: string) => body.items.find((r: any) => r.taskId === taskId && r.agencyId === agencyId);

  // February: 市人社局 reports on task 11, and completes and has verified task 44 (done before March).
  clock.now = at('2026-02-20T10:00:00Z');
  t.equal((await postReport(app, hrss, task(11), { note: '二月进展' })).status, 201);
  t.equal((await patchTask(app, hrss, task(44), '"1"', { status: 'completed' })).status, 200);
  t.equal((await patchTask(app, supervisor, task(44), '"2"', { status: 'verified' })).status, 200);
  clock.now = NOW; // 2026-03-01T12:00Z
  const start = (await report('list=tj-2021-annex2&period=2026-03')).body;
  t.match(start, { listId: 'tj-2021-annex2', cadence: 'monthly', period: '2026-03', periodStart: '2026-03-01', periodEnd: '2026-03-31', dueDate: '2026-03-28' });
  t.equal(start.byStatus.not_due, start.total, 'at the start of March nobody is due yet, February’s report counts for nothing');
  t.notOk(start.items.some((r: any) => r.taskId === task(44)), 'a task done before the period began is not judged');
  t.match(row(start, task(11), 'tj-hrss-bureau'), { number: 11, agencyName: '市人社局', role: 'lead', status: 'not_due', reportedAt: null, reportedBy: null, dueDate: '2026-03-28' });
  t.ok(row(start, task(52), 'tj-district-governments'), '各区人民政府 has its row');
  t.equal(start.total, 150 - 3, 'every assignment of the 52 work items but task 44’s three');
  const february = (await report('list=tj-2021-annex2&period=2026-02')).body;
  t.equal(row(february, task(11), 'tj-hrss-bureau').status, 'on_time');
  t.equal(row(february, task(44), 'tj-hrss-bureau').status, 'missing', 'task 44 was open when February began: judged for it');
  t.equal(february.byStatus.on_time, 1);
  t.equal(february.byStatus.missing, february.total - 1);

  clock.now = at('2026-03-10T09:00:00Z');
  t.equal((await postReport(app, hrss, task(11), { note: '三月进展' })).status, 201);
  clock.now = at('2026-03-28T23:00:00Z');
  t.equal((await postReport(app, heping, task(52), { note: '和平区报送' })).status, 201);
  clock.now = at('2026-03-28T23:30:00Z');
  const onDueDay = (await report('list=tj-2021-annex2&period=2026-03')).body;
  const dueDayTag = (await report('list=tj-2021-annex2&period=2026-03')).headers.etag as string;
  t.match(row(onDueDay, task(11), 'tj-hrss-bureau'), { status: 'on_time', reportedAt: '2026-03-10T09:00:00.000Z', reportedBy: 'tj-hrss-bureau' });
  t.match(row(onDueDay, task(52), 'tj-district-governments'), { status: 'on_time', reportedBy: 'tj-district-heping' }, 'a district reports for 各区人民政府, on the due day itself');
  t.same(onDueDay.byStatus, { on_time: 2, late: 0, missing: 0, not_due: onDueDay.total - 2 });

  clock.now = at('2026-03-29T00:30:00Z');
  const notModified = await app.inject({ method: 'GET', url: '/v1/reports/reporting?list=tj-2021-annex2&period=2026-03', headers: { authorization: supervisor, 'if-none-match': dueDayTag } });
  t.equal(notModified.statusCode, 200, 'a new day passes the due date: the tag of the day before no longer matches');
  t.equal(notModified.json().byStatus.missing, onDueDay.total - 2, 'the units without a report are now missing');
  t.equal((await app.inject({ method: 'GET', url: '/v1/reports/reporting?list=tj-2021-annex2&period=2026-03', headers: { authorization: supervisor, 'if-none-match': notModified.headers.etag as string } })).statusCode, 304);
  const pastTag = (await report('list=tj-2021-annex2&period=2026-03&asOf=2026-03-28T23:30:00Z')).headers.etag as string;

  clock.now = at('2026-03-29T01:00:00Z');
  t.equal((await postReport(app, education, task(8), { note: '迟报' })).status, 201);
  clock.now = at('2026-03-29T02:00:00Z');
  const afterDue = (await report('list=tj-2021-annex2&period=2026-03')).body;
  t.not((await report('list=tj-2021-annex2&period=2026-03')).headers.etag, notModified.headers.etag, 'a report moves the tag');
  t.not((await report('list=tj-2021-annex2&period=2026-03&asOf=2026-03-28T23:30:00Z')).headers.etag, pastTag, 'a past moment’s tag too: it names the ledger position');
  t.match(row(afterDue, task(8), 'tj-education-commission'), { status: 'late', reportedAt: '2026-03-29T01:00:00.000Z' });
  t.equal(row(afterDue, task(8), 'tj-hrss-bureau').status, 'missing', 'a co unit’s report counts for it alone');
  t.same(afterDue.byStatus, { on_time: 2, late: 1, missing: afterDue.total - 3, not_due: 0 });

  clock.now = at('2026-04-02T08:00:00Z');
  t.equal((await postReport(app, hrss, task(27), { note: '四月进展' })).status, 201);
  t.equal(row((await report('list=tj-2021-annex2&period=2026-03')).body, task(27), 'tj-hrss-bureau').status, 'missing', 'April’s report does not count for March');
  t.equal(row((await report('list=tj-2021-annex2&period=2026-04')).body, task(27), 'tj-hrss-bureau').status, 'on_time');

  t.test('as of a moment: what was served then, recomputed later', async (t) => {
    for (const served of [start, onDueDay, afterDue]) {
      const again = (await report(`list=tj-2021-annex2&period=2026-03&asOf=${served.asOf}`)).body;
      t.same(again, served, `as of ${served.asOf}`);
    }
    const beforeAll = (await report('list=tj-2021-annex2&period=2026-03&asOf=2026-01-01')).body;
    t.equal(beforeAll.total, 0, 'before the tasks existed, nothing is judged');
  });

  t.test('agency: the rows of the assignments it acts under', async (t) => {
    const body = (await report('list=tj-2021-annex2&period=2026-03&agency=tj-district-heping')).body;
    t.ok(body.items.length > 0);
    t.ok(body.items.every((r: any) => r.agencyId === 'tj-district-governments'), 'a district: 各区人民政府’s rows');
    t.equal(body.total, body.items.length);
    const hrssRows = (await report('list=tj-2021-annex2&period=2026-03&agency=tj-hrss-bureau')).body;
    t.ok(hrssRows.items.every((r: any) => r.agencyId === 'tj-hrss-bureau'));
    t.equal(hrssRows.total, 22 - 1, '市人社局’s assignments but task 44’s');
  });

  t.test('a quarterly list', async (t) => {
    clock.now = at('2026-04-05T00:00:00Z');
    const q1 = (await report('list=tj-2021-annex1&period=2026-Q1')).body;
    t.match(q1, { cadence: 'quarterly', period: '2026-Q1', periodStart: '2026-01-01', periodEnd: '2026-03-31', dueDate: '2026-03-15', total: 6, byStatus: { missing: 6 } });
    t.equal((await postReport(app, moe, 'tj-2021-annex1-01', { note: '二季度首报' })).status, 201);
    t.equal(row((await report('list=tj-2021-annex1&period=2026-Q1')).body, 'tj-2021-annex1-01', 'moe').status, 'missing', 'a report in April is the next quarter’s');
    t.equal(row((await report('list=tj-2021-annex1&period=2026-Q2')).body, 'tj-2021-annex1-01', 'moe').status, 'on_time');
  });

  t.test('CSV', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/v1/reports/reporting?list=tj-2021-annex2&period=2026-03&asOf=2026-03-29T02:00:00Z', headers: { authorization: supervisor, accept: 'text/csv' } });
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^text\/csv/);
    const records = parse(response.body, { columns: true }) as Record<string, string>[];
    t.equal(records.length, afterDue.total);
    t.same(Object.keys(records[0]!), ['asOf', 'listId', 'period', 'taskId', 'number', 'text', 'agencyId', 'agencyName', 'role', 'status', 'reportedAt', 'reportedBy', 'dueDate']);
    t.match(records.find((r) => r.taskId === task(8) && r.agencyId === 'tj-education-commission'), { period: '2026-03', status: 'late', reportedAt: '2026-03-29T01:00:00.000Z', dueDate: '2026-03-28' });
    t.match(records.find((r) => r.taskId === task(8) && r.agencyId === 'tj-hrss-bureau'), { status: 'missing', reportedAt: '', reportedBy: '' });
  });

  t.test('bad input: 400 and 404 problems; access as the other reports', async (t) => {
    const cases: [string, number, string | undefined][] = [
      ['list=tj-2021-annex2&period=2026-Q1', 400, 'period'],
      ['list=tj-2021-annex1&period=2026-03', 400, 'period'],
      ['list=tj-2021-annex2&period=2026-13', 400, 'period'],
      ['list=tj-2021-annex2&period=9999-12', 400, 'period'],
      ['list=tj-2021-annex2', 400, 'period'],
      ['period=2026-03', 400, 'list'],
      ['list=tj-2021-annex2,tj-2021-annex1&period=2026-03', 400, 'list'],
      ['list=tj-2021-annex2&period=2026-03&asOf=2099-01-01', 400, 'asOf'],
      ['list=tj-1999&period=2026-03', 404, undefined],
    ];
    for (const [query, status, path] of cases) {
      const response = await report(query);
      t.equal(response.status, status, query);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      if (path) t.match(response.body.errors, [{ path }], `${query}: names ${path}`);
    }
    await setCadence(context, 'tj-2021-annex1', null, null);
    const noCadence = await report('list=tj-2021-annex1&period=2026-Q1');
    t.equal(noCadence.status, 400, 'a list without a cadence');
    t.match(noCadence.body, { code: 'validation_failed', errors: [{ path: 'list' }] });
    t.equal((await app.inject({ method: 'GET', url: '/v1/reports/reporting?list=tj-2021-annex2&period=2026-03' })).statusCode, 401);
    t.equal((await getJson(app, '/v1/reports/reporting?list=tj-2021-annex2&period=2026-03', hrss)).status, 200, 'an agency key reads reports');
  });
});

t.test('the cadence in the import format: validated, exported, round-trips, shown on the list', async (t) => {
  const { app, key } = await setupApp(t);
  const admin = await key('admin');
  const importFile = async (file: unknown) => {
    const response = await app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin, 'content-type': 'application/json' }, payload: JSON.stringify(file) });
    return { status: response.statusCode, body: response.json() };
  };
  const exportDocument = async () => (await getJson(app, '/v1/documents/tj-2021/export', admin)).body;
  const original = await exportDocument();
  t.notOk(original.lists.some((list: any) => 'reporting' in list), 'no cadence, no field');
  t.match((await getJson(app, '/v1/task-lists/tj-2021-annex2')).body, { reporting: null });

  const withCadence = structuredClone(original);
  withCadence.lists[1].reporting = { cadence: 'monthly', dueDay: 28 };
  const imported = await importFile(withCadence);
  t.equal(imported.status, 200);
  t.match(imported.body, { unchanged: false, events: 0, lists: { updated: 1 } }, 'the list changes; no task does');
  t.match((await getJson(app, '/v1/task-lists/tj-2021-annex2')).body, { reporting: { cadence: 'monthly', dueDay: 28 } });
  t.same((await getJson(app, '/v1/task-lists')).body.items.map((list: any) => list.reporting), [null, { cadence: 'monthly', dueDay: 28 }]);
  const exported = await exportDocument();
  t.same(exported, withCadence, 'the export carries the cadence');
  t.match((await importFile(exported)).body, { unchanged: true, events: 0 }, 'import(export(x)) changes nothing');
  t.equal((await getJson(app, '/v1/reports/reporting?list=tj-2021-annex2&period=2026-02')).status, 200);

  // A task added on 1 March: judged for March, not for February, which had closed.
  const added = structuredClone(withCadence);
  added.lists[1].tasks.push({ number: 53, text: '新增任务', units: ['tj-hrss-bureau'] });
  t.match((await importFile(added)).body, { tasks: { created: 1 } });
  const judgedIn = async (period: string) =>
    (await getJson(app, `/v1/reports/reporting?list=tj-2021-annex2&period=${period}`)).body.items.some((row: any) => row.taskId === 'tj-2021-annex2-53');
  t.notOk(await judgedIn('2026-02'), 'a task created after a period closed is not judged for it');
  t.ok(await judgedIn('2026-03'));
  t.match((await importFile(await exportDocument())).body, { unchanged: true }, 'and the export still round-trips');
  withCadence.lists[1].tasks.push(added.lists[1].tasks.at(-1));
  original.lists[1].tasks.push(added.lists[1].tasks.at(-1));

  for (const [reporting, path] of [
    [{ cadence: 'monthly', dueDay: 29 }, 'lists.1.reporting.dueDay'],
    [{ cadence: 'monthly', dueDay: 0 }, 'lists.1.reporting.dueDay'],
    [{ cadence: 'weekly', dueDay: 5 }, 'lists.1.reporting.cadence'],
    [{ cadence: 'monthly' }, 'lists.1.reporting.dueDay'],
    [{ cadence: 'monthly', dueDay: 5, day: 5 }, 'lists.1.reporting'],
  ] as const) {
    const bad = structuredClone(original);
    bad.lists[1].reporting = reporting;
    const refused = await importFile(bad);
    t.equal(refused.status, 422, JSON.stringify(reporting));
    t.match(refused.body, { code: 'import_rejected', errors: [{ path }] });
  }
  t.match((await importFile(original)).body, { unchanged: false, lists: { updated: 1 } }, 'left out again: the cadence goes');
  t.match((await getJson(app, '/v1/task-lists/tj-2021-annex2')).body, { reporting: null });
  t.same(await exportDocument(), original);
});

function schedulerOf({ app, database, clock }: TestContext, db = database.handle.db) {
  return createReminderScheduler({ db, clock: () => clock.now, settings: loadConfig({}).reminders, logger: app.log });
}

t.test('report.missing: once per task, period and unit, for the latest period due only', async (t) => {
  const context = await setupApp(t, LOCAL_TARGETS);
  const { app, key, clock, database } = context;
  const db = database.handle.db;
  const admin = await key('admin');
  const moe = await key('agency', 'moe');
  const subscribe = async (payload: object) =>
    (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'http://127.0.0.1:9/x', ...payload } })).json().id as string;
  const all = await subscribe({});
  const missingOnly = await subscribe({ eventTypes: ['report.missing'] });
  const dueSoonOnly = await subscribe({ eventTypes: ['task.due_soon'] });
  const deliveries = async (id: string) => (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, id))).length;
  await setCadence(context, 'tj-2021-annex1', 'monthly', 28);
  const scheduler = schedulerOf(context);

  clock.now = at('2026-02-10T00:00:00Z');
  t.equal(await scheduler.runOnce(), 6, 'on 10 February, January (due the 28th) is the latest period due: its six missing reports');
  t.equal((await postReport(app, moe, 'tj-2021-annex1-01', { note: '二月' })).status, 201);
  t.equal((await patchTask(app, moe, 'tj-2021-annex1-03', '"1"', { status: 'completed' })).status, 200);

  clock.now = NOW; // 1 March: February is due
  t.equal(await scheduler.runOnce(), 4, 'February: six tasks, one reported, one completed since');
  t.equal(await scheduler.runOnce(), 0, 'a second pass fires nothing');
  const feed = (await getJson(app, '/v1/reminders?kind=report.missing&limit=200')).body.items;
  t.same(
    feed.slice(6).map((r: any) => `${r.taskId} ${r.occurrence}`),
    ['tj-2021-annex1-02 2026-02:moe', 'tj-2021-annex1-04 2026-02:moe', 'tj-2021-annex1-05 2026-02:moe', 'tj-2021-annex1-06 2026-02:moe'],
  );
  t.match(feed[6], { kind: 'report.missing', listId: 'tj-2021-annex1', agencyId: 'moe', period: '2026-02', dueDate: '2026-02-28', firedAt: NOW.toISOString() });
  t.same(
    (await getJson(app, '/v1/reports/reporting?list=tj-2021-annex1&period=2026-02')).body.items.filter((r: any) => r.status === 'missing').map((r: any) => r.taskId),
    ['tj-2021-annex1-02', 'tj-2021-annex1-03', 'tj-2021-annex1-04', 'tj-2021-annex1-05', 'tj-2021-annex1-06'],
    'the report and the reminders follow one rule; the completed task is not reminded',
  );

  clock.now = at('2026-03-28T23:59:00Z');
  t.equal(await scheduler.runOnce(), 0, 'on the due day, nothing new is missing');
  clock.now = at('2026-03-29T00:00:00Z');
  t.equal(await scheduler.runOnce(), 5, 'March: the five open tasks (task 3 was done when March began)');
  t.equal(await scheduler.runOnce(), 0);
  t.equal((await db.select().from(reminders)).length, 15);
  t.equal(await deliveries(all), 15 + 2, 'each reminder once, and the February events');
  t.equal(await deliveries(missingOnly), 15, 'eventTypes filters the kind');
  t.equal(await deliveries(dueSoonOnly), 0);
  const payloadOf = (await getJson(app, '/v1/reminders?since=0&limit=1')).body.items[0];
  t.match(payloadOf, { kind: 'report.missing', occurrence: '2026-01:moe', period: '2026-01', agencyId: 'moe' });
  t.equal((await getJson(app, '/v1/reminders?kind=report.missing', await key('agency', 'moe'))).body.items.length, 15, 'the unit sees its reminders');
  t.equal((await getJson(app, '/v1/reminders?kind=report.missing', await key('agency', 'tj-hrss-bureau'))).body.items.length, 0);
});

t.test('a list given a cadence is reminded of the latest period due, not every one before it', async (t) => {
  const context = await setupApp(t);
  await setCadence(context, 'tj-2021-annex1', 'quarterly', 15);
  context.clock.now = at('2026-09-01T00:00:00Z');
  t.equal(await schedulerOf(context).runOnce(), 6);
  t.same(
    [...new Set((await getJson(context.app, '/v1/reminders?kind=report.missing')).body.items.map((r: any) => r.period))],
    ['2026-Q2'],
    'Q2, due 15 June; not Q1 (nor the quarter before the tasks existed)',
  );
});

t.test('passes at once, from two app instances on PostgreSQL: each report.missing fires once', async (t) => {
  const context = await setupApp(t, LOCAL_TARGETS);
  const { app, key, database } = context;
  const subscription = (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: await key('admin') }, payload: { url: 'http://127.0.0.1:9/x' } })).json().id as string;
  await setCadence(context, 'tj-2021-annex2', 'monthly', 28);
  await setCadence(context, 'tj-2021-annex1', 'monthly', 28);
  const expected = (await getJson(app, '/v1/reports/reporting?list=tj-2021-annex2&period=2026-02')).body.byStatus.missing + 6;
  const instances = await appInstances(t, context);
  const schedulers = instances.map((instance) => schedulerOf(context, instance.deps.db));
  const counts = await Promise.all(schedulers.flatMap((scheduler) => [scheduler.runOnce(), scheduler.runOnce(), scheduler.runOnce()]));
  t.equal(
    counts.reduce((a, b) => a + b, 0),
    expected,
    `${instances.length} instance(s), passes at once: ${expected} reminders in all`,
  );
  const rows = await database.handle.db.select().from(reminders);
  t.equal(rows.length, expected);
  t.equal(new Set(rows.map((row) => `${row.taskId} ${row.occurrence}`)).size, expected, 'one per task and occurrence');
  const delivered = await database.handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription));
  t.equal(delivered.length, expected, 'one delivery per reminder');
  t.equal(await schedulers.at(-1)!.runOnce(), 0, 'nothing is left');
});
