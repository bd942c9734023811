import t from 'tap';
import { getJson, NOW, setupApp } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

t.test('reports on a hand-checked fixture', async (t) => {
  const { app, key, clock } = await setupApp(t);
  const supervisor = await key('supervisor');
  const hrss = await key('agency', 'tj-hrss-bureau');

  // Seeded 2026-01-05; now 2026-03-01T12:00Z. Four tasks are put in known states:
  await patchTask(app, supervisor, 'tj-2021-annex2-01', '"1"', { dueDate: '2026-02-01' }); // overdue by 28 days → red
  await patchTask(app, supervisor, 'tj-2021-annex2-02', '"1"', { dueDate: '2026-03-10' }); // due within 14 days → amber
  await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'completed' });
  await patchTask(app, supervisor, 'tj-2021-annex2-44', '"2"', { status: 'verified' }); // verified → none
  await postReport(app, hrss, 'tj-2021-annex2-08', { note: '月报' }); // reported today → not stale

  t.test('summary arithmetic', async (t) => {
    const { status, body } = await getJson(app, '/v1/reports/summary');
    t.equal(status, 200);
    t.same(body, {
      asOf: NOW.toISOString(),
      total: 58,
      byStatus: { not_started: 57, in_progress: 0, delayed: 0, completed: 0, verified: 1 },
      completionRate: 0.0172, // 1 / 58
      verifiedRate: 0.0172,
      overdue: 1,
      stale: 56, // every open task but task 8, which reported today (task 44 is verified)
      byHealth: { red: 1, amber: 1, green: 55, none: 1 },
      extensions: { extendedTasks: 0, daysAdded: 0, pendingRequests: 0 },
      receipts: { assignments: 156, acknowledged: 0, pending: 156 },
    });
  });

  t.test('scope by list (one or several) and by agency', async (t) => {
    t.match((await getJson(app, '/v1/reports/summary?list=tj-2021-annex1')).body, { total: 6, overdue: 0, stale: 6 });
    t.match((await getJson(app, '/v1/reports/summary?list=tj-2021-annex1,tj-2021-annex2')).body, { total: 58 });
    t.match((await getJson(app, '/v1/reports/summary?agency=tj-hrss-bureau')).body, { total: 22, byStatus: { verified: 1 }, stale: 20 });
    t.match((await getJson(app, '/v1/reports/summary?agency=tj-justice-bureau')).body, { total: 1, overdue: 1, byHealth: { red: 1 } });
  });

  t.test('overdue and stale rows name the lead agency', async (t) => {
    const overdue = (await getJson(app, '/v1/reports/overdue')).body;
    t.same(overdue.items.map((row: any) => [row.taskId, row.daysLate, row.leadAgencyName]), [['tj-2021-annex2-01', 28, '市司法局']]);
    const stale = (await getJson(app, '/v1/reports/stale')).body;
    t.equal(stale.items.length, 56);
    t.match(stale.items[0], { taskId: 'tj-2021-annex1-01', daysSinceReport: 55, lastReportAt: null, leadAgencyName: '教育部', daysLate: null });
    t.same((await getJson(app, '/v1/reports/stale?days=56')).body.items, [], 'nobody has been silent 56 days');
  });

  t.test('per agency: led, co-owned, counts, last report', async (t) => {
    const { items } = (await getJson(app, '/v1/reports/agencies')).body;
    const row = (id: string) => items.find((r: any) => r.agencyId === id);
    t.match(row('tj-hrss-bureau'), {
      name: '市人社局',
      led: 3,
      coOwned: 19,
      counts: { total: 22, byStatus: { verified: 1 }, stale: 20 },
      lastReportAt: NOW.toISOString(),
      daysSinceLastReport: 0,
    });
    t.match(row('tj-justice-bureau'), { led: 1, coOwned: 0, counts: { total: 1, overdue: 1 }, lastReportAt: null, daysSinceLastReport: null });
    t.match(row('tj-district-heping'), { led: 1, coOwned: 12, counts: { total: 13, overdue: 0, byHealth: { amber: 1 } } }, 'a district counts the tasks of 各区人民政府');
    t.match(row('tj-district-governments'), { led: 1, coOwned: 12 });
    t.notOk(row('tj-relevant-departments') === undefined, '各有关部门 co-operates on task 52');
    t.same(
      (await getJson(app, '/v1/reports/agencies?agency=moe')).body.items.map((r: any) => [r.agencyId, r.led, r.coOwned]),
      [['moe', 6, 0]],
    );
  });

  t.test('per part and article', async (t) => {
    const { status, body } = await getJson(app, '/v1/reports/articles?document=tj-2021');
    t.equal(status, 200);
    t.equal(body.parts.length, 7);
    t.match(body.parts[0], { id: 'tj-2021-part-1', number: '一', counts: { total: 10, overdue: 1, byHealth: { red: 1, amber: 1 } } });
    t.same(
      body.parts[0].articles.map((a: any) => [a.number, a.counts.total]),
      [
        ['（一）', 3],
        ['（二）', 4],
        ['（三）', 3],
      ],
    );
    t.equal(body.parts.reduce((sum: number, p: any) => sum + p.counts.total, 0), 58, 'every task sits in one article');
    t.match(body.parts[5].articles[1], { number: '（十六）', counts: { total: 4 } });
    t.equal((await getJson(app, '/v1/reports/articles?document=tj-1999')).status, 404);
    t.equal((await getJson(app, '/v1/reports/articles')).status, 400, 'document is required');
  });

  t.test('the counts agree with the flags the task API derives for every task', async (t) => {
    const tasks: any[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const { body }: { body: any } = await getJson(app, `/v1/tasks?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      tasks.push(...body.items);
      cursor = body.nextCursor;
    }
    const count = (keep: (task: any) => boolean) => tasks.filter(keep).length;
    const summary = (await getJson(app, '/v1/reports/summary')).body;
    t.equal(summary.total, tasks.length);
    t.equal(summary.overdue, count((task) => task.overdue));
    t.equal(summary.stale, count((task) => task.stale));
    for (const health of ['red', 'amber', 'green', 'none']) t.equal(summary.byHealth[health], count((task) => task.health === health), health);
    const stale = (await getJson(app, '/v1/reports/stale?limit=5000')).body.items.map((row: any) => row.taskId);
    t.same(stale, tasks.filter((task) => task.stale).map((task) => task.id), 'the stale rows are the tasks flagged stale, in list order');
  });

  t.test('follow-up rows come in pages of one moment', async (t) => {
    const whole = (await getJson(app, '/v1/reports/stale')).body;
    t.equal(whole.nextCursor, null, 'one page when it fits');
    const first = (await getJson(app, '/v1/reports/stale?limit=20')).body;
    t.equal(first.items.length, 20);
    t.type(first.nextCursor, 'string');
    // A report between pages changes the task now, but the next pages still describe the first page's moment.
    clock.now = new Date(NOW.getTime() + 3_600_000);
    t.equal((await postReport(app, hrss, 'tj-2021-annex2-11', { note: '进展' })).status, 201);
    const rows = [...first.items];
    for (let cursor = first.nextCursor; cursor; ) {
      const page = (await getJson(app, `/v1/reports/stale?limit=20&cursor=${cursor}`)).body;
      t.equal(page.asOf, first.asOf, 'later pages keep the first moment');
      rows.push(...page.items);
      cursor = page.nextCursor;
    }
    t.same(rows, whole.items, 'the pages put together are the whole report');
    t.notOk(
      (await getJson(app, '/v1/reports/stale')).body.items.some((row: any) => row.taskId === 'tj-2021-annex2-11'),
      'while a fresh report no longer lists the task that reported',
    );

    const csv = await app.inject({ method: 'GET', url: '/v1/reports/overdue?limit=1&list=tj-2021-annex2', headers: { authorization: supervisor, accept: 'text/csv' } });
    t.equal(csv.headers.link, undefined, 'no Link on the last page');
    const paged = await app.inject({ method: 'GET', url: '/v1/reports/stale?limit=5&list=tj-2021-annex1', headers: { authorization: supervisor, accept: 'text/csv' } });
    const next = /^<(\/v1\/reports\/stale\?[^>]+)>; rel="next"$/.exec(String(paged.headers.link));
    t.ok(next, 'CSV pages link to the next one');
    const last = await app.inject({ method: 'GET', url: next![1]!, headers: { authorization: supervisor, accept: 'text/csv' } });
    t.equal(last.statusCode, 200);
    t.equal(last.body.trim().split('\r\n').length, 2, 'header and the sixth task of annex 1');
    t.match(last.body, /tj-2021-annex1-06/);

    const other = await getJson(app, `/v1/reports/stale?limit=20&cursor=${first.nextCursor}&asOf=2026-02-01`);
    t.equal(other.status, 400, 'a cursor with a different asOf');
    t.match(other.body, { code: 'validation_failed', errors: [{ path: 'asOf' }] });
    t.equal((await getJson(app, `/v1/reports/stale?limit=20&cursor=${first.nextCursor}&asOf=${first.asOf}`)).status, 200, 'the same asOf is fine');
    t.equal((await getJson(app, '/v1/reports/overdue?cursor=bm90LWEtY3Vyc29y')).status, 400, 'a cursor this API did not issue');
    clock.now = NOW;
  });

  t.test('as of a moment before the seed, there was nothing', async (t) => {
    t.match((await getJson(app, '/v1/reports/summary?asOf=2025-12-31')).body, { asOf: '2025-12-31T23:59:59.999Z', total: 0, completionRate: 0 });
  });

  t.test('asOf after now is refused; today means now', async (t) => {
    // Later than every event the other tests recorded, so that now is after all of them.
    clock.now = new Date('2026-04-01T12:00:00.000Z');
    for (const asOf of ['2026-04-02', '2026-04-01T12:00:00.001Z', '2026-04-01T20:00:01+08:00', '2099-01-01']) {
      for (const report of ['summary', 'agencies', 'articles?document=tj-2021', 'overdue', 'stale']) {
        const url = `/v1/reports/${report}${report.includes('?') ? '&' : '?'}asOf=${encodeURIComponent(asOf)}`;
        const { status, body } = await getJson(app, url);
        t.equal(status, 400, url);
        t.match(body, { code: 'validation_failed', errors: [{ location: 'querystring', path: 'asOf' }] });
      }
    }
    const live = (await getJson(app, '/v1/reports/summary')).body;
    t.same((await getJson(app, '/v1/reports/summary?asOf=2026-04-01')).body, live, 'today is not over: its date means now');
    t.same((await getJson(app, '/v1/reports/summary?asOf=2026-04-01T12:00:00Z')).body, live, 'now itself is fine');
    t.same((await getJson(app, '/v1/reports/summary?asOf=2026-04-01T20:00:00%2B08:00')).body, live, 'the same instant in another offset');
    const first = (await getJson(app, '/v1/reports/stale?limit=20&asOf=2026-04-01')).body;
    clock.now = new Date('2026-04-01T12:01:00.000Z');
    const second = await getJson(app, `/v1/reports/stale?limit=20&asOf=2026-04-01&cursor=${first.nextCursor}`);
    t.equal(second.status, 200, 'a cursor goes on with today’s date as with no asOf');
    t.equal(second.body.asOf, first.asOf);
    clock.now = NOW;
  });

  t.test('bad report parameters are 400 problems', async (t) => {
    for (const url of ['/v1/reports/summary?asOf=yesterday', '/v1/reports/summary?list=A,b', '/v1/reports/summary?list=', '/v1/reports/stale?days=0', '/v1/reports/overdue?days=3', '/v1/reports/summary?asOf=2026-02-30']) {
      const { status, body } = await getJson(app, url);
      t.equal(status, 400, url);
      t.match(body, { code: 'validation_failed' });
    }
  });

});

t.test('as of means as recorded: reports recomputed for past moments equal the live ones taken then', async (t) => {
  const { app, key, clock } = await setupApp(t);
  const supervisor = await key('supervisor');
  const education = await key('agency', 'tj-education-commission');
  const hrss = await key('agency', 'tj-hrss-bureau');
  const urls = [
    '/v1/reports/summary',
    '/v1/reports/summary?list=tj-2021-annex2&agency=tj-hrss-bureau',
    '/v1/reports/overdue',
    '/v1/reports/stale',
    '/v1/reports/stale?days=10',
    '/v1/reports/agencies',
    '/v1/reports/articles?document=tj-2021',
  ];
  const captured: { at: Date; reports: unknown[] }[] = [];
  const capture = async () => captured.push({ at: clock.now, reports: await Promise.all(urls.map(async (url) => (await getJson(app, url)).body)) });

  const steps: (() => Promise<unknown>)[] = [
    () => patchTask(app, supervisor, 'tj-2021-annex2-18', '"1"', { dueDate: '2026-03-20' }),
    () => patchTask(app, education, 'tj-2021-annex2-18', '"2"', { status: 'in_progress', progress: 20 }),
    () => postReport(app, hrss, 'tj-2021-annex2-42', { note: '配合', progress: 10 }),
    () => patchTask(app, education, 'tj-2021-annex2-18', '"3"', { status: 'completed', progress: 100 }),
    () => patchTask(app, supervisor, 'tj-2021-annex2-18', '"4"', { status: 'in_progress', note: '材料不全' }),
    () => patchTask(app, education, 'tj-2021-annex2-18', '"5"', { status: 'delayed' }),
    () => patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'completed' }),
    () => patchTask(app, supervisor, 'tj-2021-annex2-44', '"2"', { status: 'verified' }),
  ];
  await capture();
  for (const [index, step] of steps.entries()) {
    clock.now = new Date(NOW.getTime() + (index + 1) * 5 * 86_400_000 + index * 3_600_000);
    const result = (await step()) as { status: number };
    t.ok(result.status < 300, `step ${index + 1} applied`);
    await capture();
  }
  clock.now = new Date('2026-12-31T00:00:00Z');

  for (const { at, reports } of captured) {
    const recomputed = await Promise.all(urls.map(async (url) => (await getJson(app, `${url}${url.includes('?') ? '&' : '?'}asOf=${encodeURIComponent(at.toISOString())}`)).body));
    urls.forEach((url, i) => t.same(recomputed[i], reports[i], `${url} as of ${at.toISOString()}`));
  }
  t.not(JSON.stringify(captured[0]!.reports), JSON.stringify(captured.at(-1)!.reports), 'and the moments did differ');

  t.test('each timeline point equals the summary as of the end of its period', async (t) => {
    for (const interval of ['day', 'week', 'month']) {
      const { status, body } = await getJson(app, `/v1/reports/timeline?from=2026-01-01&to=2026-04-30&interval=${interval}&list=tj-2021-annex2`);
      t.equal(status, 200);
      for (const point of body.points.filter((_: unknown, i: number) => i % 7 === 0 || interval !== 'day')) {
        const summary = (await getJson(app, `/v1/reports/summary?list=tj-2021-annex2&asOf=${encodeURIComponent(point.asOf)}`)).body;
        t.same([point.total, point.byStatus], [summary.total, summary.byStatus], `${interval} ${point.periodStart}`);
      }
    }
    const weeks = (await getJson(app, '/v1/reports/timeline?from=2026-01-01&to=2026-01-31&interval=week')).body.points;
    t.same(
      weeks.map((p: any) => p.periodStart),
      ['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26'],
      'weeks start on Monday',
    );
    t.match(weeks[0], { total: 0 }, 'before the seed');
    const [today] = (await getJson(app, '/v1/reports/timeline?from=2026-12-31&to=2026-12-31&interval=day')).body.points;
    const live = (await getJson(app, '/v1/reports/summary')).body;
    t.same([today.asOf, today.total, today.byStatus], [live.asOf, live.total, live.byStatus], 'a one-period timeline ending now is the live summary');
    const ahead = (await getJson(app, '/v1/reports/timeline?from=2026-12-01&to=2027-02-28&interval=month')).body.points;
    t.same(
      ahead.map((p: any) => [p.periodStart, p.asOf, p.total, p.byStatus]),
      ['2026-12-01', '2027-01-01', '2027-02-01'].map((start) => [start, live.asOf, live.total, live.byStatus]),
      'periods not over yet are counted as of now',
    );
    t.match(weeks[1], { total: 58, byStatus: { not_started: 58 } });
    t.equal((await getJson(app, '/v1/reports/timeline?from=2026-02-01&to=2026-01-01')).status, 400);
    t.equal((await getJson(app, '/v1/reports/timeline?from=2000-01-01&to=2026-01-01&interval=day')).status, 400, 'too many periods');
    t.equal((await getJson(app, '/v1/reports/timeline?from=2026-01-01')).status, 400, 'to is required');
  });
});
