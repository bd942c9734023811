import { sql } from 'drizzle-orm';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { postReport } from '../helpers/requests.js';

t.test('under a cadence, stale means the latest period due was missed; other lists keep STALE_AFTER_DAYS', async (t) => {
  const { app, key, clock, database } = await setupApp(t, { STALE_AFTER_DAYS: '60' });
  await database.handle.db.execute(sql`update task_lists set report_cadence = 'monthly', report_due_day = 28 where id = 'tj-2021-annex2'`);
  const education = await key('agency', 'tj-education-commission'); // leads 附件2 task 8
  const moe = await key('agency', 'moe'); // leads 附件1
  clock.now = new Date('2026-02-25T09:00:00Z');
  t.equal((await postReport(app, education, 'tj-2021-annex2-08', { note: '2月进展' })).status, 201);
  t.equal((await postReport(app, moe, 'tj-2021-annex1-01', { note: '2月进展' })).status, 201);
  const stale = async (id: string) => (await getJson(app, `/v1/tasks/${id}`)).body.stale as boolean;
  const staleIds = async (list: string) => (await getJson(app, `/v1/tasks?list=${list}&stale=true&limit=200`)).body.items.map((task: { id: string }) => task.id) as string[];

  clock.now = new Date('2026-03-20T12:00:00Z');
  t.equal(await stale('tj-2021-annex2-08'), false, 'February was reported');
  t.equal(await stale('tj-2021-annex2-09'), true, 'February was not');
  const servedOn20th = (await getJson(app, '/v1/reports/summary')).body;
  t.equal(servedOn20th.stale, (await staleIds('tj-2021-annex2')).length + (await staleIds('tj-2021-annex1')).length, 'the summary counts what the tasks say');

  clock.now = new Date('2026-03-29T12:00:00Z');
  t.equal(await stale('tj-2021-annex2-08'), true, 'March’s due date passed without a report: stale, though 60 quiet days have not');
  t.equal(await stale('tj-2021-annex1-01'), false, 'a list without a cadence keeps the 60 days');
  t.ok((await staleIds('tj-2021-annex2')).includes('tj-2021-annex2-08'), 'the filter follows the same rule');
  t.notOk((await staleIds('tj-2021-annex1')).includes('tj-2021-annex1-01'));
  const followUp = (await getJson(app, '/v1/reports/stale?days=365&limit=5000')).body.items.map((row: { taskId: string }) => row.taskId) as string[];
  t.ok(followUp.includes('tj-2021-annex2-08'), 'the stale report keeps the period rule on a list with a cadence, whatever days says');
  t.notOk(followUp.some((id) => id.startsWith('tj-2021-annex1-')), 'and applies days to the others');
  t.same((await getJson(app, '/v1/reports/summary?asOf=2026-03-20T12:00:00Z')).body, servedOn20th, 'as of the 20th, what was served then');
  const live = (await getJson(app, '/v1/reports/summary')).body;
  t.equal(live.stale, (await staleIds('tj-2021-annex2')).length + (await staleIds('tj-2021-annex1')).length);
  t.match((await getJson(app, '/v1/tasks/tj-2021-annex2-08')).headers.etag, /-stale"$/, 'the ETag says so');
});
