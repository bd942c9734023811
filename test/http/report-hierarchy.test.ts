import t from 'tap';
import { getJson, NOW, setupApp } from '../helpers/app.js';
import { assertCsvMatches, readCsv } from '../helpers/csv.js';
import { patchTask, postReport } from '../helpers/requests.js';

/**
 * A plan in phases: phase 1 (its own window, an indicator of its own) has three work items, two
 * with windows and indicators of their own; phase 2 holds a group of two. Eight tasks, five of
 * them work items. Ids follow the format's defaults: tj-plan-01, tj-plan-01-01, tj-plan-02-01-02.
 */
const plan = {
  format: 'duban.document/1',
  document: { id: 'tj-plan', title: '职业教育提质培优行动计划', issuers: ['天津市教育委员会'] },
  lists: [
    {
      id: 'tj-plan',
      title: '任务分解表',
      owner: 'tj-education-commission',
      tasks: [
        {
          number: 1,
          label: '第一阶段',
          title: '试点',
          text: '开展试点。',
          dueDate: '2026-02-01',
          window: { start: '2026-01-01', end: '2026-06-30' },
          indicators: [{ key: 'pilots', name: '试点学校', unit: '所', direction: 'at_least', target: 10 }],
          children: [
            {
              number: 1,
              text: '制定试点方案。',
              window: { start: '2026-01-01', end: '2026-03-31' },
              indicators: [{ key: 'share', name: '覆盖率', unit: '%', direction: 'between', min: 40, max: 60 }],
            },
            {
              number: 2,
              text: '培训师资。',
              units: ['tj-hrss-bureau'],
              dueDate: '2026-02-01',
              window: { start: '2026-04-01', end: '2026-06-30' },
              indicators: [{ key: 'cost', name: '经费', unit: '万元', direction: 'at_most', target: 100, baseline: 0, due: '2026' }],
            },
            { number: 3, text: '总结试点经验。', units: ['tj-education-commission', 'tj-hrss-bureau'] },
          ],
        },
        {
          number: 2,
          label: '第二阶段',
          text: '全面推广。',
          window: { start: '2026-07-01', end: '2026-12-31' },
          children: [
            {
              number: 1,
              text: '推广到各区。',
              children: [
                { number: 1, text: '中心城区。' },
                { number: 2, text: '环城四区。', units: ['tj-hrss-bureau'] },
              ],
            },
          ],
        },
      ],
    },
  ],
};

const hour = 3_600_000;
const at = (hours: number) => new Date(NOW.getTime() + hours * hour);
const withParam = (url: string, name: string, value: string) => `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;

t.test('reports over a task tree count work items and follow indicators', async (t) => {
  const { app, key, clock } = await setupApp(t);
  const admin = await key('admin');
  const education = await key('agency', 'tj-education-commission');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const imported = await app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin }, payload: plan });
  t.equal(imported.statusCode, 200, imported.body);

  const summary = async (query: string) => (await getJson(app, `/v1/reports/summary?${query}`)).body;

  await t.test('a parent is not counted beside its children', async (t) => {
    t.match(await summary('list=tj-plan'), { total: 5, byStatus: { not_started: 5 } }, 'eight tasks, five work items');
    t.match(await summary('parent=tj-plan-01'), { total: 3 }, 'a parent and three children count three, not four');
    t.match(await summary('parent=tj-plan-02'), { total: 2 }, 'the whole subtree, grandchildren included; neither the phase nor its group counted');
    t.match(await summary('parent=tj-plan-01-02'), { total: 1 }, 'a work item is its own subtree');
    t.match(await summary('parent=tj-plan-99'), { total: 0 });
    t.match(await summary(''), { total: 63 }, 'the seeded flat lists (58) and the plan’s five');
    t.match(await summary('list=tj-plan&agency=tj-education-commission'), { total: 3 }, 'the list owner leads the parents too, which do not count');
  });

  await t.test('activeOn keeps the tasks whose window in force includes the date', async (t) => {
    t.match(await summary('activeOn=2026-02-15'), { total: 2 }, '01-01 by its own window, 01-03 by its phase’s; the seeded tasks have none');
    t.match(await summary('list=tj-plan&activeOn=2026-05-01'), { total: 2 }, '01-02 and 01-03');
    t.match(await summary('list=tj-plan&activeOn=2026-08-01'), { total: 2 }, 'phase 2’s window, inherited through its group');
    t.match(await summary('list=tj-plan&activeOn=2025-12-31'), { total: 0 });
    t.match(await summary('parent=tj-plan-01&activeOn=2026-08-01'), { total: 0 }, 'scopes combine');
    t.equal((await getJson(app, '/v1/reports/summary?activeOn=2026-02-30')).status, 400);
  });

  await t.test('follow-up rows and agencies leave parents out', async (t) => {
    const overdue = (await getJson(app, '/v1/reports/overdue?list=tj-plan')).body;
    t.same(
      overdue.items.map((row: any) => [row.taskId, row.leadAgencyId]),
      [['tj-plan-01-02', 'tj-hrss-bureau']],
      'phase 1 is due 2026-02-01 too, but it is not a work item',
    );
    const agencies = (await getJson(app, '/v1/reports/agencies?list=tj-plan')).body.items;
    t.same(
      agencies.map((row: any) => [row.agencyId, row.led, row.coOwned, row.counts.total]),
      [
        ['tj-education-commission', 3, 0, 3],
        ['tj-hrss-bureau', 2, 1, 3],
      ],
    );
    t.same((await getJson(app, '/v1/reports/agencies?parent=tj-plan-02')).body.items.map((row: any) => [row.agencyId, row.led]), [
      ['tj-education-commission', 1],
      ['tj-hrss-bureau', 1],
    ]);
  });

  // Now the work moves: what was served before must still be what asOf that moment says.
  clock.now = at(1);
  const before = {
    at: clock.now.toISOString(),
    urls: ['/v1/reports/summary?parent=tj-plan-01', '/v1/reports/summary?list=tj-plan', '/v1/reports/agencies?list=tj-plan', '/v1/reports/overdue?list=tj-plan'],
    bodies: [] as unknown[],
  };
  for (const url of before.urls) before.bodies.push((await getJson(app, url)).body);
  clock.now = at(2);
  t.equal((await patchTask(app, education, 'tj-plan-01-01', '"1"', { status: 'in_progress', progress: 50 })).status, 200);
  t.equal((await patchTask(app, hrss, 'tj-plan-01-02', '"1"', { status: 'delayed' })).status, 200);
  clock.now = at(3);
  t.equal((await patchTask(app, education, 'tj-plan-01-01', '"2"', { status: 'completed', progress: 100 })).status, 200);
  t.equal((await patchTask(app, hrss, 'tj-plan-02-01-02', '"1"', { status: 'in_progress' })).status, 200);

  await t.test('moving the children moves the counts, once each', async (t) => {
    t.match((await getJson(app, '/v1/tasks/tj-plan-01')).body, { status: 'delayed', childCount: 3 }, 'the phase rolled up');
    t.match((await getJson(app, '/v1/tasks/tj-plan-02')).body, { status: 'in_progress' }, 'so did phase 2, through its group');
    t.match(await summary('parent=tj-plan-01'), {
      total: 3,
      byStatus: { not_started: 1, in_progress: 0, delayed: 1, completed: 1, verified: 0 },
      completionRate: 0.3333,
      overdue: 1,
      byHealth: { red: 1, amber: 0, green: 2, none: 0 },
    });
    t.match(await summary('list=tj-plan'), { total: 5, byStatus: { not_started: 2, in_progress: 1, delayed: 1, completed: 1 } });
    const [today] = (await getJson(app, '/v1/reports/timeline?list=tj-plan&from=2026-03-01&to=2026-03-01&interval=day')).body.points;
    t.match(today, { total: 5, byStatus: { not_started: 2, in_progress: 1, delayed: 1, completed: 1 } }, 'the timeline skips the parents’ rolled_up moves');
    const [phase] = (await getJson(app, '/v1/reports/timeline?parent=tj-plan-01&from=2026-03-01&to=2026-03-01&interval=day')).body.points;
    t.match(phase, { total: 3, byStatus: { not_started: 1, delayed: 1, completed: 1 } });
  });

  await t.test('as of before the changes, each report is the one served then', async (t) => {
    for (const [i, url] of before.urls.entries()) t.same((await getJson(app, withParam(url, 'asOf', before.at))).body, before.bodies[i], url);
    t.match(before.bodies[0], { total: 3, byStatus: { not_started: 3 } }, 'and that was before anything moved');
  });

  await t.test('indicators: latest, as of a moment, and whether the target is met', async (t) => {
    const report = async (query = '') => (await getJson(app, `/v1/reports/indicators${query}`)).body;
    const values = (body: any) => body.items.map((row: any) => [row.taskId, row.key, row.latest, row.asOfValue, row.met]);

    const unreported = await report('?list=tj-plan');
    t.same(unreported.counts, { indicators: 3, reported: 0, met: 0 });
    t.same(unreported.items[0], {
      taskId: 'tj-plan-01',
      listId: 'tj-plan',
      number: 1,
      label: '第一阶段',
      title: '试点',
      key: 'pilots',
      name: '试点学校',
      unit: '所',
      direction: 'at_least',
      target: 10,
      min: null,
      max: null,
      baseline: null,
      due: null,
      latest: null,
      latestAt: null,
      asOfValue: null,
      met: null,
    }, 'a parent’s own indicator is listed; nothing reported yet, so met is null');

    clock.now = at(4);
    t.equal((await postReport(app, education, 'tj-plan-01-01', { note: '一月', indicators: [{ key: 'share', value: 30 }] })).status, 201);
    t.equal((await postReport(app, hrss, 'tj-plan-01-02', { note: '一月', indicators: [{ key: 'cost', value: 80 }] })).status, 201);
    clock.now = at(5);
    const between = await report('?list=tj-plan');
    clock.now = at(6);
    t.equal((await postReport(app, education, 'tj-plan-01-01', { note: '二月', indicators: [{ key: 'share', value: 60 }] })).status, 201);
    t.equal((await postReport(app, hrss, 'tj-plan-01-02', { note: '二月', indicators: [{ key: 'cost', value: 120 }] })).status, 201);
    t.equal((await postReport(app, education, 'tj-plan-01', { note: '试点学校', indicators: [{ key: 'pilots', value: 10 }] })).status, 201, 'a parent reports its own indicator');

    const live = await report('?list=tj-plan');
    t.same(
      values(live),
      [
        ['tj-plan-01', 'pilots', 10, 10, true],
        ['tj-plan-01-01', 'share', 60, 60, true],
        ['tj-plan-01-02', 'cost', 120, 120, false],
      ],
      'at_least meets at the target, between at its bounds, at_most fails above it',
    );
    t.same(live.counts, { indicators: 3, reported: 3, met: 2 });
    t.equal(live.items[1].latestAt, at(6).toISOString());

    const asOf = await report(`?list=tj-plan&asOf=${encodeURIComponent(at(5).toISOString())}`);
    t.same(
      values(asOf),
      [
        ['tj-plan-01', 'pilots', 10, null, null],
        ['tj-plan-01-01', 'share', 60, 30, false],
        ['tj-plan-01-02', 'cost', 120, 80, true],
      ],
      'between the reports: the first values, judged as they stood; latest is still now',
    );
    t.same(asOf.counts, { indicators: 3, reported: 2, met: 1 });
    const strip = (body: any) => ({ ...body, items: body.items.map(({ latest: _latest, latestAt: _latestAt, ...row }: any) => row) });
    t.same(strip(asOf), strip(between), 'as of that moment is what was served then, but for the latest values');
    t.same((await report(`?asOf=${encodeURIComponent(before.at)}&list=tj-plan`)).counts, { indicators: 3, reported: 0, met: 0 });
    t.same((await report('?asOf=2026-02-01')).items, [], 'before the import there were no such tasks');

    t.same(values(await report('?parent=tj-plan-01-02')), [['tj-plan-01-02', 'cost', 120, 120, false]]);
    t.equal((await report('?parent=tj-plan-01')).items.length, 3, 'the parent’s own and its children’s');
    t.same(
      (await report('?agency=tj-hrss-bureau')).items.map((row: any) => row.key),
      ['cost'],
      '01-03, which 市人社局 co-operates on, has no indicators',
    );
    t.same((await report('?list=tj-2021-annex2')).counts, { indicators: 0, reported: 0, met: 0 }, 'the seeded lists have none');

    const csv = await app.inject({ method: 'GET', url: '/v1/reports/indicators?list=tj-plan', headers: { authorization: admin, accept: 'text/csv' } });
    t.equal(csv.statusCode, 200);
    const { header, rows } = readCsv(csv.body);
    t.same(header, 'asOf,taskId,listId,number,label,title,key,name,unit,direction,target,min,max,baseline,due,latest,latestAt,asOfValue,met'.split(','));
    t.equal(rows.length, 3, 'one row per indicator');
    assertCsvMatches(t, csv.body, live.items.map((row: any) => ({ asOf: live.asOf, ...row })), 'indicators CSV');
    const empty = await app.inject({ method: 'GET', url: '/v1/reports/indicators?list=tj-2021-annex1', headers: { authorization: admin, accept: 'text/csv' } });
    t.equal(empty.body, `${header.join(',')}\r\n`, 'no indicators: the header alone');

    const first = await app.inject({ method: 'GET', url: '/v1/reports/indicators?list=tj-plan', headers: { authorization: admin } });
    const again = await app.inject({ method: 'GET', url: '/v1/reports/indicators?list=tj-plan', headers: { authorization: admin, 'if-none-match': String(first.headers.etag) } });
    t.equal(again.statusCode, 304, 'unchanged: 304');
    await postReport(app, hrss, 'tj-plan-01-02', { note: '三月', indicators: [{ key: 'cost', value: 90 }] });
    const after = await app.inject({ method: 'GET', url: '/v1/reports/indicators?list=tj-plan', headers: { authorization: admin, 'if-none-match': String(first.headers.etag) } });
    t.equal(after.statusCode, 200, 'a new value: 200');
    t.not(after.headers.etag, first.headers.etag);
    t.equal(after.json().items[2].met, true);
  });

  await t.test('stale rows are the open work items, in list order, paged without a skip', async (t) => {
    clock.now = new Date('2026-03-05T00:00:00Z');
    const whole = (await getJson(app, '/v1/reports/stale?list=tj-plan&days=2')).body.items.map((row: any) => row.taskId);
    t.same(whole, ['tj-plan-01-02', 'tj-plan-01-03', 'tj-plan-02-01-01', 'tj-plan-02-01-02'], 'no parent, and 01-01 is completed');
    // Numbers repeat across siblings (01-02 and 02-01-02 are both number 2): pages follow positions.
    const paged: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const { body }: { body: any } = await getJson(app, `/v1/reports/stale?list=tj-plan&days=2&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...body.items.map((row: any) => row.taskId));
      cursor = body.nextCursor;
    }
    t.same(paged, whole);
  });
});
