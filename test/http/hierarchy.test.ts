import t from 'tap';
import { appInstances, getJson, setupApp, type TestContext } from '../helpers/app.js';

/** A phase of three steps led by two bureaus, the last weighing double, with indicators. */
const campaign = {
  format: 'duban.document/1',
  document: { id: 'camp', title: '行动方案', issuers: ['市教委'] },
  lists: [
    {
      id: 'camp-phases',
      title: '实施步骤',
      owner: 'tj-education-commission',
      tasks: [
        {
          number: 1,
          label: '第一阶段',
          text: '宣传发动',
          window: { start: '2026-03-01', end: '2026-03-31' },
          children: [
            { number: 1, text: '动员部署', units: ['市人社局', '市教委'] },
            { number: 2, text: '举办讲座' },
            {
              number: 3,
              text: '培训师资500人次，满意度不低于90%，投诉不超过3件',
              weight: 2,
              indicators: [
                { key: 'trained', name: '培训师资', unit: '人次', direction: 'at_least', target: 500, due: '2026' },
                { key: 'satisfaction', name: '满意度', unit: '%', direction: 'between', min: 90, max: 100 },
                { key: 'complaints', name: '投诉', unit: '件', direction: 'at_most', target: 3 },
              ],
            },
          ],
        },
        { number: 2, label: '第二阶段', text: '学习讨论', window: { start: '2026-04-01', end: null } },
      ],
    },
  ],
};

async function withCampaign(t: Parameters<typeof setupApp>[0]) {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  const imported = await ctx.app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin }, payload: campaign });
  t.equal(imported.statusCode, 200, imported.body);
  return ctx;
}

async function patch(ctx: TestContext, id: string, authorization: string, body: object) {
  const { headers } = await getJson(ctx.app, `/v1/tasks/${id}`);
  return ctx.app.inject({ method: 'PATCH', url: `/v1/tasks/${id}`, headers: { authorization, 'if-match': headers.etag as string }, payload: body });
}

t.test('a parent’s status and progress roll up from its children, each move a ledger event', async (t) => {
  const ctx = await withCampaign(t);
  const education = await ctx.key('agency', 'tj-education-commission');
  const hrss = await ctx.key('agency', 'tj-hrss-bureau');

  t.equal((await patch(ctx, 'camp-phases-01-01', hrss, { status: 'in_progress', progress: 60 })).statusCode, 200);
  let { body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01');
  t.match(phase, { status: 'in_progress', progress: 15, childCount: 3 }, '(60·1 + 0·1 + 0·2) / 4');

  t.equal((await patch(ctx, 'camp-phases-01-03', education, { status: 'in_progress', progress: 50 })).statusCode, 200);
  ({ body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01'));
  t.equal(phase.progress, 40, '(60 + 0 + 50·2) / 4');

  for (const [id, key] of [
    ['camp-phases-01-01', hrss],
    ['camp-phases-01-02', education],
    ['camp-phases-01-03', education],
  ] as const) {
    t.equal((await patch(ctx, id, key, { status: 'completed', progress: 100 })).statusCode, 200, id);
  }
  ({ body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01'));
  t.match(phase, { status: 'completed', progress: 100 });

  const { body: events } = await getJson(ctx.app, '/v1/tasks/camp-phases-01/events');
  t.same(
    events.items.map((event: any) => [event.type, event.actor.agencyId, event.state.status, event.state.progress]),
    [
      ['created', null, 'not_started', 0],
      ['rolled_up', 'tj-hrss-bureau', 'in_progress', 15],
      ['rolled_up', 'tj-education-commission', 'in_progress', 40],
      ['rolled_up', 'tj-hrss-bureau', 'in_progress', 50],
      ['rolled_up', 'tj-education-commission', 'in_progress', 75],
      ['rolled_up', 'tj-education-commission', 'completed', 100],
    ],
    'one rolled_up event per move, by whoever moved the child',
  );

  const supervisor = await ctx.key('supervisor');
  const refused = await patch(ctx, 'camp-phases-01', supervisor, { status: 'verified' });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'derived_from_children');
  const lead = await patch(ctx, 'camp-phases-01', education, { progress: 10 });
  t.equal(lead.statusCode, 409, 'not even the lead sets a parent’s progress');
  const report = await ctx.app.inject({ method: 'POST', url: '/v1/tasks/camp-phases-01/reports', headers: { authorization: education }, payload: { note: '阶段小结', progress: 10 } });
  t.equal(report.statusCode, 409, 'nor through a report');
  const noteOnly = await ctx.app.inject({ method: 'POST', url: '/v1/tasks/camp-phases-01/reports', headers: { authorization: education }, payload: { note: '阶段小结' } });
  t.equal(noteOnly.statusCode, 201, 'a report without progress is fine');
  t.equal((await patch(ctx, 'camp-phases-01', supervisor, { dueDate: '2026-04-15' })).statusCode, 200, 'a parent keeps its own due date');

  for (const id of ['camp-phases-01-01', 'camp-phases-01-02', 'camp-phases-01-03']) t.equal((await patch(ctx, id, supervisor, { status: 'verified' })).statusCode, 200);
  ({ body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01'));
  t.equal(phase.status, 'verified', 'verified when every child is');

  const { body: verification } = await getJson(ctx.app, '/v1/audit/verify');
  t.equal(verification.ok, true, JSON.stringify(verification.problems));
});

t.test('filters by parent, subtree, level and window', async (t) => {
  const ctx = await withCampaign(t);
  const ids = async (query: string) => (await getJson(ctx.app, `/v1/tasks?list=camp-phases&${query}`)).body.items?.map((task: any) => task.id);
  t.same(await ids('parent=camp-phases-01'), ['camp-phases-01-01', 'camp-phases-01-02', 'camp-phases-01-03']);
  t.same(await ids('parent=camp-phases-02'), []);
  t.same(await ids('topLevel=true'), ['camp-phases-01', 'camp-phases-02']);
  t.same(await ids('topLevel=false'), ['camp-phases-01-01', 'camp-phases-01-02', 'camp-phases-01-03']);
  t.same(await ids('activeOn=2026-03-15'), ['camp-phases-01', 'camp-phases-01-01', 'camp-phases-01-02', 'camp-phases-01-03'], 'the steps inherit their phase’s window');
  t.same(await ids('activeOn=2026-02-28'), []);
  t.same(await ids('activeOn=2030-01-01'), ['camp-phases-02'], 'an open end runs on');
  t.same(await ids('parent=camp-phases-01&subtree=true&agency=tj-hrss-bureau'), ['camp-phases-01-01']);
  const { status, body } = await getJson(ctx.app, '/v1/tasks?subtree=true');
  t.equal(status, 400);
  t.equal(body.errors[0].path, 'subtree');
  t.equal((await getJson(ctx.app, '/v1/tasks?activeOn=2026-13-01')).status, 400);
});

t.test('indicator values are reported, recorded in the ledger and judged against their targets', async (t) => {
  const ctx = await withCampaign(t);
  const education = await ctx.key('agency', 'tj-education-commission');
  const report = (payload: object) => ctx.app.inject({ method: 'POST', url: '/v1/tasks/camp-phases-01-03/reports', headers: { authorization: education }, payload });

  const first = await report({ note: '第一批培训', indicators: [{ key: 'trained', value: 320 }, { key: 'complaints', value: 1 }] });
  t.equal(first.statusCode, 201, first.body);
  const { event } = first.json();
  t.same(event.changes.indicators, { from: { trained: null, satisfaction: null, complaints: null }, to: { trained: 320, satisfaction: null, complaints: 1 } });
  t.same(event.state.indicators, { trained: 320, satisfaction: null, complaints: 1 });

  let { body: task } = await getJson(ctx.app, '/v1/tasks/camp-phases-01-03');
  const view = () => task.indicators.map((i: any) => [i.key, i.latest?.value ?? null, i.met]);
  t.same(view(), [
    ['trained', 320, false],
    ['satisfaction', null, null],
    ['complaints', 1, true],
  ]);
  t.equal(task.indicators[0].latest.eventId, event.id);

  ctx.clock.now = new Date(ctx.clock.now.getTime() + 86_400_000);
  t.equal((await report({ note: '第二批培训', indicators: [{ key: 'trained', value: 540 }, { key: 'satisfaction', value: 95.5 }, { key: 'complaints', value: 4 }] })).statusCode, 201);
  ({ body: task } = await getJson(ctx.app, '/v1/tasks/camp-phases-01-03'));
  t.same(view(), [
    ['trained', 540, true],
    ['satisfaction', 95.5, true],
    ['complaints', 4, false],
  ]);

  const unknown = await report({ note: 'x', indicators: [{ key: 'budget', value: 1 }] });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json(), { errors: [{ path: 'indicators.0.key', message: /no indicator budget/ }] });
  const twice = await report({ note: 'x', indicators: [{ key: 'trained', value: 1 }, { key: 'trained', value: 2 }] });
  t.equal(twice.statusCode, 400);
  const elsewhere = await ctx.app.inject({ method: 'POST', url: '/v1/tasks/camp-phases-01-02/reports', headers: { authorization: education }, payload: { note: 'x', indicators: [{ key: 'trained', value: 1 }] } });
  t.equal(elsewhere.statusCode, 400, 'a task without indicators takes no values');
  ({ body: task } = await getJson(ctx.app, '/v1/tasks/camp-phases-01-03'));
  t.same(view()[0], ['trained', 540, true], 'refused reports change nothing');

  const { body: verification } = await getJson(ctx.app, '/v1/audit/verify');
  t.equal(verification.ok, true, JSON.stringify(verification.problems));
});

t.test('concurrent writes in one subtree queue on the parent instead of deadlocking or losing a roll-up', async (t) => {
  const ctx = await withCampaign(t);
  const instances = await appInstances(t, ctx);
  const education = await ctx.key('agency', 'tj-education-commission');
  const hrss = await ctx.key('agency', 'tj-hrss-bureau');
  const steps = [
    ['camp-phases-01-01', hrss],
    ['camp-phases-01-02', education],
    ['camp-phases-01-03', education],
  ] as const;
  const rounds = 4;
  const results = await Promise.all(
    steps.flatMap(([id, key], s) =>
      Array.from({ length: rounds }, (_, round) =>
        instances[(s + round) % instances.length]!.inject({
          method: 'POST',
          url: '/v1/tasks:batch',
          headers: { authorization: key },
          payload: { items: [{ op: 'report', taskId: id, report: { note: `round ${round}`, progress: (round + 1) * 20 } }] },
        }),
      ),
    ),
  );
  t.same(
    results.map((response) => response.statusCode),
    results.map(() => 200),
    results.map((response) => response.body).join('\n').slice(0, 500),
  );
  const { body: children } = await getJson(ctx.app, '/v1/tasks?parent=camp-phases-01');
  const { body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01');
  const expected = Math.round(children.items.reduce((sum: number, c: any) => sum + c.progress * c.weight, 0) / 4);
  t.equal(phase.progress, expected, 'the parent matches its children after every write committed');
  const { body: verification } = await getJson(ctx.app, '/v1/audit/verify');
  t.equal(verification.ok, true);
});

t.test('a batch holding a parent and a writer whose child rolls up into it queue instead of deadlocking', async (t) => {
  const ctx = await withCampaign(t);
  const instances = await appInstances(t, ctx);
  const education = await ctx.key('agency', 'tj-education-commission');
  const hrss = await ctx.key('agency', 'tj-hrss-bureau');
  // The batch locks the phase, then its step; the lead's report on the step rolls up into the phase.
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, round) => [
      instances[round % instances.length]!.inject({
        method: 'POST',
        url: '/v1/tasks:batch',
        headers: { authorization: education },
        payload: {
          items: [
            { op: 'report', taskId: 'camp-phases-01', report: { note: `阶段 ${round}` } },
            { op: 'report', taskId: 'camp-phases-01-01', report: { note: `配合 ${round}` } },
          ],
        },
      }),
      instances[(round + 1) % instances.length]!.inject({
        method: 'POST',
        url: '/v1/tasks/camp-phases-01-01/reports',
        headers: { authorization: hrss },
        payload: { note: `牵头 ${round}`, progress: 10 + round },
      }),
    ]).flat(),
  );
  t.same(
    results.map((response) => response.statusCode),
    results.map((_, i) => (i % 2 === 0 ? 200 : 201)),
    results.map((response) => response.body).join('\n').slice(0, 500),
  );
  const { body: phase } = await getJson(ctx.app, '/v1/tasks/camp-phases-01');
  const { body: step } = await getJson(ctx.app, '/v1/tasks/camp-phases-01-01');
  t.equal(phase.progress, Math.round(step.progress / 4), 'the phase follows its step');
});
