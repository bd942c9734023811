import t from 'tap';
import { assignmentsOf, recordChange } from '../../src/db/ledger.js';
import { SYSTEM_ACTOR } from '../../src/domain/ledger.js';
import { sql } from 'drizzle-orm';
import { getJson, setupApp } from '../helpers/app.js';
import { patchTask } from '../helpers/requests.js';

// Task 8: 市教委 leads; 市人社局, 市税务局, 市财政局 and 各区人民政府 co-operate.
const TASK = 'tj-2021-annex2-08';

t.test('签收: each assigned unit signs for its task once, and who has not is listed and counted', async (t) => {
  const { app, key, clock, database } = await setupApp(t);
  const education = await key('agency', 'tj-education-commission');
  const heping = await key('agency', 'tj-district-heping');
  const hexi = await key('agency', 'tj-district-hexi');
  const justice = await key('agency', 'tj-justice-bureau');
  const supervisor = await key('supervisor');
  const auditor = await key('auditor');
  const sign = (authorization: string, taskId = TASK) => app.inject({ method: 'POST', url: `/v1/tasks/${taskId}/receipt`, headers: { authorization } });
  const assignments = async () => (await getJson(app, `/v1/tasks/${TASK}`)).body.assignments as { agencyId: string; acknowledgedAt: string | null }[];

  const before = (await getJson(app, '/v1/reports/summary')).body.receipts;
  t.equal(before.acknowledged, 0);
  t.equal(before.pending, before.assignments, 'nothing is signed for after seeding');
  t.ok((await assignments()).every((a) => a.acknowledgedAt === null));

  t.test('only a responsible unit signs', async (t) => {
    t.equal((await sign(justice)).statusCode, 403, 'a unit the task does not name');
    t.equal((await sign(supervisor)).statusCode, 403);
    t.equal((await sign(auditor)).statusCode, 403);
    t.equal((await sign(education, 'tj-2021-annex2-99')).statusCode, 404);
  });

  const signedAt = new Date(clock.now);
  t.test('the lead signs: a ledger event, shown on its assignment', async (t) => {
    const response = await sign(education);
    t.equal(response.statusCode, 201);
    t.match(response.json(), { taskId: TASK, agencyId: 'tj-education-commission', role: 'lead', acknowledgedAt: clock.now.toISOString(), acknowledgedBy: { agencyId: 'tj-education-commission' } });
    const events = (await getJson(app, `/v1/tasks/${TASK}/events`)).body.items;
    t.match(events.at(-1), { id: response.json().eventId, type: 'assignment_acknowledged', changes: { acknowledged: { from: null, to: 'tj-education-commission' } } });
    t.match((await assignments())[0], { agencyId: 'tj-education-commission', acknowledgedAt: clock.now.toISOString() });

    clock.now = new Date(clock.now.getTime() + 60_000);
    const again = await sign(education);
    t.equal(again.statusCode, 200, 'signing again answers the first receipt');
    t.same(again.json(), response.json());
    t.equal((await getJson(app, `/v1/tasks/${TASK}/events`)).body.items.length, events.length, 'and records nothing');
  });

  t.test('a district signs for 各区人民政府, once for the group', async (t) => {
    const response = await sign(heping);
    t.equal(response.statusCode, 201);
    t.match(response.json(), { agencyId: 'tj-district-governments', role: 'co', acknowledgedBy: { agencyId: 'tj-district-heping' } });
    t.equal((await sign(hexi)).statusCode, 200, 'another district finds it signed');
  });

  t.test('who has not signed', async (t) => {
    const pending = (await getJson(app, `/v1/receipts?task=${TASK}&acknowledged=false`, supervisor)).body.items.map((r: { agencyId: string }) => r.agencyId);
    t.same(pending, ['tj-hrss-bureau', 'tj-tax-service', 'tj-finance-bureau'], 'the three co units, in the order of the cell');
    const signed = (await getJson(app, `/v1/receipts?task=${TASK}&acknowledged=true`, auditor)).body.items.map((r: { agencyId: string }) => r.agencyId);
    t.same(signed.sort(), ['tj-district-governments', 'tj-education-commission']);
    const mine = (await getJson(app, '/v1/receipts?limit=200', heping)).body.items as { agencyId: string }[];
    t.ok(mine.length > 0 && mine.every((r) => r.agencyId === 'tj-district-governments' || r.agencyId === 'tj-district-heping'), 'a district sees its own and its group’s assignments');
    const page = (await getJson(app, '/v1/receipts?limit=2', supervisor)).body;
    const next = (await getJson(app, `/v1/receipts?limit=2&cursor=${page.nextCursor}`, supervisor)).body;
    t.notSame(next.items[0], page.items[0], 'pages follow on');
    t.equal((await getJson(app, '/v1/receipts?cursor=nope', supervisor)).status, 400);
  });

  t.test('the summary counts receipts, as of any moment', async (t) => {
    const now = (await getJson(app, '/v1/reports/summary')).body.receipts;
    t.same(now, { assignments: before.assignments, acknowledged: 2, pending: before.assignments - 2 });
    const then = (await getJson(app, `/v1/reports/summary?asOf=${new Date(signedAt.getTime() - 1).toISOString()}`)).body.receipts;
    t.equal(then.acknowledged, 0, 'before the first receipt');
    t.equal((await getJson(app, '/v1/reports/summary?list=tj-2021-annex1')).body.receipts.acknowledged, 0, 'scoped like the counts');
  });

  t.test('a verified task is read-only to units, receipts included', async (t) => {
    const hrss = await key('agency', 'tj-hrss-bureau');
    const other = 'tj-2021-annex2-44'; // 市人社局 leads
    t.equal((await patchTask(app, hrss, other, '"1"', { status: 'completed' })).status, 200);
    t.equal((await patchTask(app, supervisor, other, '"2"', { status: 'verified' })).status, 200);
    const response = await sign(hrss, other);
    t.equal(response.statusCode, 409);
    t.match(response.json(), { code: 'task_locked' });
  });

  t.test('a unit taken off a task loses its receipt; one that stays keeps it', async (t) => {
    const hrss = await key('agency', 'tj-hrss-bureau');
    t.equal((await sign(hrss)).statusCode, 201);
    await database.handle.db.transaction(async (tx) => {
      const current = await assignmentsOf(tx, TASK);
      const withoutHrss = current.filter((a) => a.agencyId !== 'tj-hrss-bureau').map((a, i) => ({ ...a, position: i + 1 }));
      await tx.execute(sql`select 1 from tasks where id = ${TASK} for update`);
      await recordChange(tx, TASK, { updatedAt: clock.now }, { type: 'revised', at: clock.now.toISOString(), actor: SYSTEM_ACTOR, changes: {}, note: null, evidence: [] }, withoutHrss);
      await recordChange(tx, TASK, { updatedAt: clock.now }, { type: 'revised', at: clock.now.toISOString(), actor: SYSTEM_ACTOR, changes: {}, note: null, evidence: [] }, current);
    });
    const receipts = (await getJson(app, `/v1/receipts?task=${TASK}`, supervisor)).body.items as { agencyId: string; acknowledgedAt: string | null }[];
    t.equal(receipts.find((r) => r.agencyId === 'tj-hrss-bureau')?.acknowledgedAt, null, 'assigned again, it signs again');
    t.not(receipts.find((r) => r.agencyId === 'tj-education-commission')?.acknowledgedAt, null);
  });

  t.test('the ledger verifies', async (t) => {
    t.match((await getJson(app, '/v1/audit/verify', auditor)).body, { ok: true });
    t.equal((await patchTask(app, education, TASK, '"1"', { status: 'in_progress' })).status, 412, 'each receipt moved the version');
  });
});
