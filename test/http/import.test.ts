import t, { type Test } from 'tap';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { z } from 'zod';
import type { ImportFile } from '../../src/modules/documents/format.js';
import { getJson, setupApp, type TestContext } from '../helpers/app.js';

type File = z.input<typeof ImportFile> & { units: NonNullable<z.input<typeof ImportFile>['units']>; document: NonNullable<z.input<typeof ImportFile>['document']>; lists: NonNullable<z.input<typeof ImportFile>['lists']> };

/** A college's plan: a task group with items, a phase with a window its steps inherit, indicators. */
function planFile(): File {
  return {
    format: 'duban.document/1',
    units: [
      { id: 'a-college', name: '甲学院', fullName: '甲职业学院', nameEn: 'College A', kind: 'college' },
      { id: 'a-college-academic', name: '教务处', fullName: '甲职业学院教务处', nameEn: 'Academic Affairs, College A', kind: 'department', parent: 'a-college' },
      { id: 'b-college', name: '乙学院', fullName: '乙职业学院', nameEn: 'College B', kind: 'college' },
      { id: 'b-college-academic', name: '教务处', fullName: '乙职业学院教务处', nameEn: 'Academic Affairs, College B', kind: 'department', parent: 'b-college' },
    ],
    document: {
      id: 'a-plan',
      title: '甲学院工作方案',
      issuers: ['甲学院'],
      issuedOn: '2019-03-01',
      docNumber: '甲院〔2019〕1号',
      parts: [{ number: '一', title: '总体要求', text: '总体要求的文字。' }],
    },
    lists: [
      {
        id: 'a-plan-tasks',
        title: '主要任务',
        owner: 'a-college',
        tasks: [
          {
            number: 1,
            label: '（一）',
            title: '建立机制',
            text: '建立机制',
            children: [
              { number: 1, text: '成立领导小组', units: ['甲学院/教务处'] },
              { number: 2, text: '建立专业委员会', weight: 3, related: ['tj-2021-annex2-05'] },
            ],
          },
          {
            number: 2,
            label: '第一阶段',
            text: '第一阶段的任务。',
            window: { start: '2019-03-01', end: '2019-06-30' },
            children: [
              {
                number: 1,
                text: '培训师资500人次',
                indicators: [{ key: 'teacher-training', name: '培训师资', unit: '人次', direction: 'at_least', target: 500, due: '2019' }],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function importFile(app: TestContext['app'], admin: string, file: unknown, query = '') {
  const response = await app.inject({ method: 'POST', url: `/v1/documents:import${query}`, headers: { authorization: admin, 'content-type': 'application/json' }, payload: typeof file === 'string' ? file : JSON.stringify(file, null, 2) });
  return { status: response.statusCode, body: response.json() };
}

async function ledgerPosition(app: TestContext['app']) {
  const { body } = await getJson(app, '/v1/audit/root');
  return body.position;
}

t.test('a hierarchical document imports, serves its structure, and re-imports without change', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');

  const first = await importFile(ctx.app, admin, planFile());
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.match(first.body, { documentId: 'a-plan', dryRun: false, unchanged: false, units: { created: 4, updated: 0 }, lists: { created: 1 }, tasks: { created: 5, revised: 0 }, events: 5 });

  const { body: page } = await getJson(ctx.app, '/v1/tasks?list=a-plan-tasks');
  t.same(
    page.items.map((task: any) => [task.id, task.parentId, task.position, task.number, task.label, task.childCount]),
    [
      ['a-plan-tasks-01', null, 1, 1, '（一）', 2],
      ['a-plan-tasks-01-01', 'a-plan-tasks-01', 2, 1, null, 0],
      ['a-plan-tasks-01-02', 'a-plan-tasks-01', 3, 2, null, 0],
      ['a-plan-tasks-02', null, 4, 2, '第一阶段', 1],
      ['a-plan-tasks-02-01', 'a-plan-tasks-02', 5, 1, null, 0],
    ],
    'document order, parents before their children',
  );
  const byId = new Map<string, any>(page.items.map((task: any) => [task.id, task]));
  t.same(byId.get('a-plan-tasks-01-01').assignments.map((a: any) => [a.agencyId, a.role]), [['a-college-academic', 'lead']], 'a unit named by its path');
  t.same(byId.get('a-plan-tasks-01-02').assignments.map((a: any) => a.agencyId), ['a-college'], 'no units of its own: the list owner');
  t.equal(byId.get('a-plan-tasks-01-02').weight, 3);
  t.same(byId.get('a-plan-tasks-02').window, { start: '2019-03-01', end: '2019-06-30', inheritedFrom: null });
  t.same(byId.get('a-plan-tasks-02-01').window, { start: '2019-03-01', end: '2019-06-30', inheritedFrom: 'a-plan-tasks-02' }, 'a step inherits its phase’s window');
  t.equal(byId.get('a-plan-tasks-01').window, null);
  t.match(byId.get('a-plan-tasks-02-01').indicators, [{ key: 'teacher-training', name: '培训师资', unit: '人次', direction: 'at_least', target: 500, min: null, max: null, baseline: null, due: '2019', latest: null, met: null }]);

  const { body: document } = await getJson(ctx.app, '/v1/documents/a-plan');
  t.match(document, { title: '甲学院工作方案', docNumber: '甲院〔2019〕1号', parts: [{ number: '一', title: '总体要求', text: '总体要求的文字。', articles: [] }] });

  const { body: units } = await getJson(ctx.app, '/v1/agencies?parent=a-college');
  t.same(units.items.map((unit: any) => [unit.id, unit.name, unit.kind, unit.parentId]), [['a-college-academic', '教务处', 'department', 'a-college']]);
  const { body: academics } = await getJson(ctx.app, '/v1/agencies?kind=department&limit=200');
  t.same(academics.items.map((unit: any) => unit.name), ['教务处', '教务处'], 'two colleges each have their 教务处');

  const before = await ledgerPosition(ctx.app);
  const again = await importFile(ctx.app, admin, planFile());
  t.equal(again.status, 200);
  t.match(again.body, { unchanged: true, events: 0, units: { created: 0, updated: 0 }, tasks: { created: 0, revised: 0, unchanged: 5 } });
  t.same(await ledgerPosition(ctx.app), before, 'no event appended');
  const { body: pageAgain } = await getJson(ctx.app, '/v1/tasks?list=a-plan-tasks');
  t.same(pageAgain, page, 'every task as it was, versions included');
});

t.test('a revised file updates texts and structure as ledger events and keeps each task’s history', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  t.equal((await importFile(ctx.app, admin, planFile())).status, 200);
  const lead = await ctx.key('agency', 'a-college-academic');
  const { headers } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-01-01');
  const moved = await ctx.app.inject({ method: 'PATCH', url: '/v1/tasks/a-plan-tasks-01-01', headers: { authorization: lead, 'if-match': headers.etag as string }, payload: { status: 'in_progress', progress: 40 } });
  t.equal(moved.statusCode, 200, moved.body);

  const revised = planFile();
  const group = revised.lists[0]!.tasks[0]!;
  group.children![0]!.text = '成立援和项目领导小组';
  group.children!.push({ number: 3, text: '建立对话交流机制' });
  // The phase's step moves under the group, keeping its id.
  const phase = revised.lists[0]!.tasks[1]!;
  const [step] = phase.children!.splice(0, 1);
  group.children!.push({ ...step!, id: 'a-plan-tasks-02-01', number: 4 });
  delete (phase as { children?: unknown }).children;
  revised.document.title = '甲学院工作方案（修订）';
  revised.units[0]!.nameEn = 'College A, Tianjin';
  delete (revised.units[3] as { parent?: string }).parent;

  const result = await importFile(ctx.app, admin, revised);
  t.equal(result.status, 200, JSON.stringify(result.body));
  t.match(result.body, { unchanged: false, units: { created: 0, updated: 2 }, tasks: { created: 1, revised: 2, unchanged: 3 }, events: 4 }, 'one new task, two revised, the group rolled up; two units changed');
  t.match((await getJson(ctx.app, '/v1/agencies/a-college')).body, { nameEn: 'College A, Tianjin' });
  t.match((await getJson(ctx.app, '/v1/agencies/b-college-academic')).body, { parentId: null }, 'a unit moves to the top of the tree');

  const { body: history } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-01-01/events');
  t.same(
    history.items.map((event: any) => event.type),
    ['created', 'status_changed', 'revised'],
    'the earlier events stay; the revision is appended',
  );
  t.same(history.items.at(-1).changes, { text: { from: '成立领导小组', to: '成立援和项目领导小组' } });
  t.equal(history.items.at(-1).state.status, 'in_progress', 'a revision never touches the task’s state');

  const { body: stepEvents } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-02-01/events');
  t.match(stepEvents.items.at(-1), { type: 'revised', changes: { parentId: { from: 'a-plan-tasks-02', to: 'a-plan-tasks-01' }, number: { from: 1, to: 4 } } });
  const { body: stepTask } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-02-01');
  t.equal(stepTask.window, null, 'out of the phase, it no longer inherits its window');
  t.equal(stepTask.position, 5);

  const { body: phaseTask } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-02');
  t.equal(phaseTask.childCount, 0);
  const { body: groupTask } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-01');
  t.equal(groupTask.childCount, 4);
  t.equal(groupTask.progress, Math.round((40 * 1 + 0 * 3 + 0 + 0) / 6), 'the group rolls up its four children, weighted');

  const { body: verification } = await getJson(ctx.app, '/v1/audit/verify');
  t.equal(verification.ok, true, JSON.stringify(verification.problems));
  const { body: document } = await getJson(ctx.app, '/v1/documents/a-plan');
  t.equal(document.title, '甲学院工作方案（修订）');
});

t.test('a file with problems is refused whole, every problem listed by path and line', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  t.equal((await importFile(ctx.app, admin, planFile())).status, 200);
  const { body: tasksBefore } = await getJson(ctx.app, '/v1/tasks?list=a-plan-tasks');
  const positionBefore = await ledgerPosition(ctx.app);

  /** Each expected problem by path and message; `at` names what the line it reports must hold. */
  const refused = async (t: Test, name: string, file: unknown, expected: { path: string; message: RegExp; at?: string }[]) => {
    await t.test(name, async (t) => {
      const text = typeof file === 'string' ? file : JSON.stringify(file, null, 2);
      const { status, body } = await importFile(ctx.app, admin, text);
      t.equal(status, 422, JSON.stringify(body));
      t.equal(body.code, 'import_rejected');
      t.match(body.detail, /nothing was written/);
      for (const { path, message, at } of expected) {
        const found = body.errors.find((error: any) => error.path === path);
        t.ok(found, `${path} is named (got ${body.errors.map((e: any) => e.path).join(', ')})`);
        if (!found) continue;
        t.match(found.message, message);
        t.equal(found.location, 'body');
        const lines = text.split('\n');
        if (at !== undefined || found.line !== undefined) t.ok(found.line >= 1 && found.line <= lines.length, `${path} has a line (${found.line})`);
        if (at !== undefined) t.ok(lines[found.line - 1]?.includes(at), `line ${found.line} (${lines[found.line - 1]?.trim()}) holds ${at}`);
      }
      t.equal(body.errors.length, expected.length, JSON.stringify(body.errors));
    });
  };

  const unknownKeys = planFile();
  Object.assign(unknownKeys.lists[0]!.tasks[0]!, { dueDat: '2020-01-01' });
  Object.assign(unknownKeys.document, { publisher: 'x' });
  await refused(t, 'unknown keys', unknownKeys, [
    { path: 'document.publisher', message: /unknown key "publisher"/, at: '"publisher"' },
    { path: 'lists.0.tasks.0.dueDat', message: /unknown key "dueDat"/, at: '"dueDat"' },
  ]);

  const malformed = planFile();
  (malformed.lists[0]!.tasks[1]!.window as { end: string }).end = '2019-01-01';
  (malformed.lists[0]!.tasks[1]!.children![0]!.indicators![0] as Record<string, unknown>).direction = 'between';
  (malformed as { format: string }).format = 'duban.document/1';
  (malformed.units[0] as { kind: string }).kind = 'College!';
  await refused(t, 'values out of the format', malformed, [
    { path: 'units.0.kind', message: /lowercase/, at: '"College!"' },
    { path: 'lists.0.tasks.1.window.end', message: /start is after end/, at: '"end": "2019-01-01"' },
    { path: 'lists.0.tasks.1.children.0.indicators.0.min', message: /between needs min and max/ },
    { path: 'lists.0.tasks.1.children.0.indicators.0.target', message: /not target/ },
  ]);

  await refused(t, 'another format version', { ...planFile(), format: 'duban.document/9' }, [{ path: 'format', message: /duban\.document\/1/, at: 'duban.document/9' }]);

  await refused(t, 'not JSON', '{\n  "format": "duban.document/1",\n  "units": [,]\n}', [{ path: '', message: /not JSON/, at: '[,]' }]);

  // Written out as text: a value this deep would exhaust JSON.stringify's own stack.
  const deep = `${'{"number":1,"text":"一层","children":['.repeat(20_000)}{"number":1,"text":"最深处"}${']}'.repeat(20_000)}`;
  const tooDeep = JSON.stringify({ ...planFile(), lists: [{ id: 'a-plan-tasks', title: '主要任务', tasks: ['DEEP'] }] }).replace('"DEEP"', deep);
  await refused(t, 'a tree nested deeper than any document, refused before it can exhaust the stack', tooDeep, [{ path: '', message: /nested deeper than 64 levels/ }]);

  await refused(t, 'broken JSON nested deeper than the parser that locates errors can go', '['.repeat(100_000), [{ path: '', message: /not JSON/ }]);

  const unresolved = planFile();
  unresolved.lists[0]!.tasks[0]!.children![0]!.units = ['教务处'];
  unresolved.lists[0]!.tasks[0]!.children![1]!.number = 1;
  (unresolved.lists[0]! as { owner: string }).owner = '丙学院';
  (unresolved.lists[0]!.tasks[1]! as { article?: string }).article = '（九）';
  await refused(t, 'names that resolve to no unit, or to two; clashing numbers; a missing article', unresolved, [
    { path: 'lists.0.tasks.0.children.0.units.0', message: /names 2 units .*甲学院\/教务处/, at: '"教务处"' },
    { path: 'lists.0.owner', message: /no unit has the id or name "丙学院"/, at: '丙学院' },
    { path: 'lists.0.tasks.0.children.1.number', message: /number 1 is given to two tasks/ },
    { path: 'lists.0.tasks.0.children.1.id', message: /a-plan-tasks-01-01 is already used at lists\.0\.tasks\.0\.children\.0/ },
    { path: 'lists.0.tasks.1.article', message: /no article （九）/, at: '（九）' },
    { path: 'lists', message: /a-plan-tasks-01-02 .* missing from the file/ },
  ]);

  const dropped = planFile();
  dropped.lists[0]!.tasks[1]!.children = [];
  dropped.units.push({ id: 'a-college-academic-2', name: '教务处', fullName: 'x', nameEn: 'x', kind: 'department', parent: 'a-college' });
  await refused(t, 'a task with a history left out; a name taken under the same parent', dropped, [
    { path: 'units.1.name', message: /already the name of a-college-academic-2 under the same parent/ },
    { path: 'units.4.name', message: /already the name of a-college-academic under the same parent/ },
    { path: 'lists.0.tasks.0.children.0.units.0', message: /"甲学院\/教务处" names 2 units/ },
    { path: 'lists', message: /a-plan-tasks-02-01 .* missing from the file/ },
  ]);

  const lead = await ctx.key('agency', 'a-college-academic');
  const { headers } = await getJson(ctx.app, '/v1/tasks/a-plan-tasks-01-01');
  t.equal((await ctx.app.inject({ method: 'PATCH', url: '/v1/tasks/a-plan-tasks-01-01', headers: { authorization: lead, 'if-match': headers.etag as string }, payload: { status: 'in_progress', progress: 30 } })).statusCode, 200);
  const { body: started } = await getJson(ctx.app, '/v1/tasks?list=a-plan-tasks');
  const underWay = planFile();
  underWay.lists[0]!.tasks[0]!.children![0]!.children = [{ number: 1, text: '拟定名单' }];
  await refused(t, 'sub-tasks for a task under way, whose reported status they would replace', underWay, [
    { path: 'lists.0.tasks.0.children.0.children', message: /in_progress at 30%: a task under way cannot gain sub-tasks/ },
  ]);

  const key = async (role: 'supervisor' | 'auditor') => ctx.key(role);
  for (const role of ['supervisor', 'auditor'] as const) {
    const { status } = await importFile(ctx.app, await key(role), planFile());
    t.equal(status, 403, `${role} may not import`);
  }
  const plain = await ctx.app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin, 'content-type': 'text/plain' }, payload: JSON.stringify(planFile()) });
  t.equal(plain.statusCode, 415);

  t.same((await getJson(ctx.app, '/v1/tasks?list=a-plan-tasks')).body, started, 'nothing changed by any refused file');
  t.same(tasksBefore.items.length, started.items.length);
  t.same(await ledgerPosition(ctx.app), positionBefore + 2, 'no event appended but the PATCH’s and its roll-up');
  const { body: units } = await getJson(ctx.app, '/v1/agencies?kind=department&limit=200');
  t.equal(units.items.length, 2, 'no unit added');
});

t.test('dryRun answers what would change and keeps nothing', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  const { status, body } = await importFile(ctx.app, admin, planFile(), '?dryRun=true');
  t.equal(status, 200);
  t.match(body, { dryRun: true, tasks: { created: 5 }, events: 5 });
  t.equal((await getJson(ctx.app, '/v1/documents/a-plan')).status, 404);
  t.equal((await getJson(ctx.app, '/v1/agencies/a-college')).status, 404);
});

t.test('export round-trips: importing the export changes nothing, here or in an empty database', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  t.equal((await importFile(ctx.app, admin, planFile())).status, 200);
  const empty = await setupApp(t, {}, { seed: false });
  const emptyAdmin = await empty.key('admin');

  for (const documentId of ['tj-2021', 'a-plan']) {
    await t.test(documentId, async (t) => {
      const { status, body: exported } = await getJson(ctx.app, `/v1/documents/${documentId}/export`);
      t.equal(status, 200);
      t.equal(exported.format, 'duban.document/1');

      const here = await importFile(ctx.app, admin, exported);
      t.equal(here.status, 200, JSON.stringify(here.body));
      t.match(here.body, { unchanged: true, events: 0 }, 'import(export(x)) over x changes nothing');

      const elsewhere = await importFile(empty.app, emptyAdmin, exported);
      t.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
      const { body: again } = await getJson(empty.app, `/v1/documents/${documentId}/export`);
      t.same(again, exported, 'the copy exports to the same file');

      const { body: original } = await getJson(ctx.app, `/v1/tasks?list=${exported.lists[0].id}&limit=200`);
      const { body: copy } = await getJson(empty.app, `/v1/tasks?list=${exported.lists[0].id}&limit=200`);
      const shape = (task: any) => ({ ...task, version: undefined, lastEventId: undefined, createdAt: undefined, updatedAt: undefined, overdue: undefined, stale: undefined, health: undefined });
      t.same(copy.items.map(shape), original.items.map(shape), 'the same tasks, units and structure');
    });
  }
});

t.test('the same file in YAML: imported, refused with lines, exported', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  const postYaml = async (text: string) => {
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin, 'content-type': 'application/yaml' }, payload: text });
    return { status: response.statusCode, body: response.json() };
  };

  const yaml = toYaml(planFile());
  const created = await postYaml(yaml);
  t.equal(created.status, 200, JSON.stringify(created.body));
  t.match(created.body, { documentId: 'a-plan', tasks: { created: 5 } });
  t.match((await importFile(ctx.app, admin, planFile())).body, { unchanged: true }, 'the JSON spelling of the same file changes nothing');

  const misspelt = yaml.replace('weight: 3', 'wieght: 3');
  const refused = await postYaml(misspelt);
  t.equal(refused.status, 422);
  const [problem] = refused.body.errors;
  t.match(problem, { path: 'lists.0.tasks.0.children.1.wieght', message: /unknown key "wieght"/ });
  t.match(misspelt.split('\n')[problem.line - 1], /wieght: 3/, 'the line is the one with the misspelt key');

  const aliased = await postYaml(`${yaml}\nx: &a [1, 2]\ny: *a\n`);
  t.equal(aliased.status, 422);
  t.match(aliased.body.errors[0].message, /Alias/, 'aliases, which can multiply a small file, are refused');
  const broken = await postYaml('format: duban.document/1\nunits: [\n');
  t.equal(broken.status, 422);
  t.match(broken.body.errors[0], { path: '', line: 3, message: /not YAML/ });

  const exported = await ctx.app.inject({ method: 'GET', url: '/v1/documents/a-plan/export', headers: { authorization: admin, accept: 'application/yaml' } });
  t.equal(exported.statusCode, 200);
  t.match(exported.headers['content-type'], /^application\/yaml/);
  t.same(parseYaml(exported.body), (await getJson(ctx.app, '/v1/documents/a-plan/export')).body, 'the YAML export says what the JSON one does');
  t.match((await postYaml(exported.body)).body, { unchanged: true }, 'and imports as a no-op');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/documents/a-plan/export', headers: { authorization: admin, accept: 'text/csv' } })).statusCode, 406);
});

t.test('a bare name resolves to the unit the file itself defines before the stored ones', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  t.equal((await importFile(ctx.app, admin, planFile())).status, 200);
  const other = {
    format: 'duban.document/1',
    units: [
      { id: 'c-college', name: '丙学院', fullName: '丙职业学院', nameEn: 'College C', kind: 'college' },
      { id: 'c-college-academic', name: '教务处', fullName: '丙职业学院教务处', nameEn: 'Academic Affairs, College C', kind: 'department', parent: 'c-college' },
    ],
    document: { id: 'c-plan', title: '丙学院方案', issuers: ['丙学院'] },
    lists: [{ id: 'c-plan-tasks', title: '任务', tasks: [{ number: 1, text: '教学改革', responsibleText: '教务处' }] }],
  };
  const result = await importFile(ctx.app, admin, other);
  t.equal(result.status, 200, JSON.stringify(result.body));
  const { body: task } = await getJson(ctx.app, '/v1/tasks/c-plan-tasks-01');
  t.same(task.assignments.map((a: any) => a.agencyId), ['c-college-academic'], 'the cell names this file’s 教务处, not one of the two stored ones');

  const stranger = { ...other, units: [], document: { ...other.document, id: 'd-plan' }, lists: [{ id: 'd-plan-tasks', title: '任务', tasks: [{ number: 1, text: '教学改革', responsibleText: '教务处' }] }] };
  const refused = await importFile(ctx.app, admin, stranger);
  t.equal(refused.status, 422);
  t.match(refused.body.errors[0].message, /names 3 units .*one of the paths 甲学院\/教务处, 乙学院\/教务处, 丙学院\/教务处/, 'a file that defines none is told the paths to choose from');
});

t.test('a body over the route’s limit is a 413 that names the limit', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  const huge = await ctx.app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin, 'content-type': 'application/json' }, payload: `"${'x'.repeat(8 * 1024 * 1024)}"` });
  t.equal(huge.statusCode, 413);
  t.match(huge.json(), { code: 'payload_too_large', detail: /8192 KiB/ });
  const agency = await ctx.key('agency', 'tj-hrss-bureau');
  const report = await ctx.app.inject({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-08/reports', headers: { authorization: agency, 'content-type': 'application/json' }, payload: JSON.stringify({ note: 'x'.repeat(300 * 1024) }) });
  t.equal(report.statusCode, 413);
  t.match(report.json(), { code: 'payload_too_large', detail: /256 KiB/ });
});

t.test('an import without a body is a 400 that says what to send', async (t) => {
  const ctx = await setupApp(t);
  const admin = await ctx.key('admin');
  const empty = await ctx.app.inject({ method: 'POST', url: '/v1/documents:import', headers: { authorization: admin } });
  t.equal(empty.statusCode, 400);
  t.match(empty.json(), { code: 'validation_failed', detail: /Send the file as the body/ });
});
