import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { ImportFile, type TaskEntry } from '../../src/modules/documents/format.js';
import { getJson, setupApp } from '../helpers/app.js';
import {
  flatSource,
  printedTarget,
  read2018,
  read2019,
  read2021,
  type SourceDocument,
  type SourceTask,
  TJVI_2018_FILE,
  TJVI_2019_FILE,
  TJVI_2021_FILE,
} from '../helpers/tjvi-sources.js';

/**
 * The three Tianjin Vocational Institute seeds (津职大〔2018〕118号, 津职大党〔2019〕68号, the 2021
 * roadmap) against an independent parse of their sources: first the parse itself, then the seed
 * files as written, then what the API serves.
 */

const documents = [
  { id: 'tjvi-2018-118', file: TJVI_2018_FILE, source: read2018() },
  { id: 'tjvi-2019-68', file: TJVI_2019_FILE, source: read2019() },
  { id: 'tjvi-2021-roadmap', file: TJVI_2021_FILE, source: read2021() },
];

/** The units the sources name, with what the source does not say (kind, parent) as the readings decide. */
const UNITS: Record<string, { kind: string; parent: string | null; fullName?: string; files: string[] }> = {
  天津职业大学: { kind: 'college', parent: null, fullName: '天津职业大学', files: [TJVI_2018_FILE, TJVI_2019_FILE, TJVI_2021_FILE] },
  援和项目领导小组: { kind: 'leading_group', parent: '天津职业大学', fullName: '天津职业大学援和项目领导小组', files: [TJVI_2018_FILE] },
  援和项目办公室: { kind: 'office', parent: '援和项目领导小组', fullName: '天津职业大学援和项目办公室', files: [TJVI_2018_FILE] },
  天津交通职业: { kind: 'college', parent: null, fullName: '天津交通职业学院', files: [TJVI_2018_FILE] },
  天津轻工职业技术学院: { kind: 'college', parent: null, fullName: '天津轻工职业技术学院', files: [TJVI_2018_FILE] },
  天津商务职业技术学院: { kind: 'college', parent: null, fullName: '天津商务职业技术学院', files: [TJVI_2018_FILE] },
  教工部: { kind: 'department', parent: '天津职业大学', files: [TJVI_2019_FILE] },
  教务处: { kind: 'department', parent: '天津职业大学', files: [TJVI_2019_FILE] },
  组织部: { kind: 'department', parent: '天津职业大学', files: [TJVI_2019_FILE] },
  宣传部: { kind: 'department', parent: '天津职业大学', files: [TJVI_2019_FILE] },
};

// ------------------------------------------------------------------ one comparable shape

/** A task as both sides give it, with its id; its window is its own, never an inherited one. */
interface Node extends Omit<SourceTask, 'children'> {
  id: string;
  children: Node[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const byTarget = (a: { target: number; unit: string | null }, b: { target: number; unit: string | null }) => a.target - b.target || String(a.unit).localeCompare(String(b.unit));

function fromSource(tasks: SourceTask[], parentId: string): Node[] {
  return tasks.map((task) => {
    const id = `${parentId}-${pad(task.number)}`;
    return {
      id,
      number: task.number,
      label: task.label,
      title: task.title,
      text: task.text,
      responsibleText: task.responsibleText,
      units: task.units,
      window: task.window,
      indicators: [...task.indicators].sort(byTarget),
      children: fromSource(task.children, id),
    };
  });
}

function fromSeed(tasks: TaskEntry[], parentId: string, unitName: (ref: string) => string, inherited: string[]): Node[] {
  return tasks.map((task) => {
    const id = task.id ?? `${parentId}-${pad(task.number)}`;
    const units = task.units ? task.units.map(unitName) : inherited;
    return {
      id,
      number: task.number,
      label: task.label ?? null,
      title: task.title ?? null,
      text: task.text,
      responsibleText: task.responsibleText ?? null,
      units,
      window: task.window ? { start: task.window.start!, end: task.window.end! } : null,
      indicators: (task.indicators ?? []).map((i) => ({ target: i.target!, unit: i.unit })).sort(byTarget),
      children: fromSeed(task.children ?? [], id, unitName, units),
    };
  });
}

function fromServed(items: any[], parentId: string | null): Node[] {
  return items
    .filter((task) => task.parentId === parentId)
    .sort((a, b) => a.number - b.number)
    .map((task) => ({
      id: task.id,
      number: task.number,
      label: task.label,
      title: task.title,
      text: task.text,
      responsibleText: task.responsibleText,
      units: [...task.assignments].sort((a: any, b: any) => a.position - b.position).map((a: any) => a.agencyName),
      window: task.window && task.window.inheritedFrom === null ? { start: task.window.start, end: task.window.end } : null,
      indicators: task.indicators.map((i: any) => ({ target: i.target, unit: i.unit })).sort(byTarget),
      children: fromServed(items, task.id),
    }));
}

const walk = (nodes: Node[], visit: (node: Node, ancestors: Node[]) => void, ancestors: Node[] = []) => {
  for (const node of nodes) {
    visit(node, ancestors);
    walk(node.children, visit, [...ancestors, node]);
  }
};

const countTree = (tasks: SourceTask[]): number => tasks.reduce((sum, task) => sum + 1 + countTree(task.children), 0);

/** Every paragraph of a verbatim text must be part of the source once its line breaks are gone. */
function inSource(t: Test, flat: string, text: string | null, what: string) {
  if (text === null) return;
  for (const paragraph of text.split('\n')) t.ok(flat.includes(paragraph), `${what}: 「${paragraph.slice(0, 24)}…」 is in the source`);
}

// ------------------------------------------------------------------ the parse itself

t.test('the sources parse to the shape the README and the readings describe', async (t) => {
  const [s2018, s2019, s2021] = documents.map((d) => d.source) as [ReturnType<typeof read2018>, ReturnType<typeof read2019>, ReturnType<typeof read2021>];

  await t.test('津职大〔2018〕118号', async (t) => {
    t.match(s2018.document, { title: '天津职业大学关于成立援建和田职业技术学院项目领导小组和办公室的通知', issuers: ['天津职业大学'], issuedOn: '2018-09-28', docNumber: '津职大〔2018〕118号' });
    t.same(s2018.document.parts.map((p) => p.number), ['一', '二']);
    const duties = s2018.lists['tjvi-2018-118-annex1']!.tasks;
    t.same(duties.map((d) => d.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], '10 duties');
    const groups = s2018.lists['tjvi-2018-118-annex2']!.tasks;
    t.same(groups.map((g) => [g.label, g.title, g.children.length]), [
      ['（一）', '建立和完善援和项目工作机制', 4],
      ['（二）', '组织和实施援和项目工作任务', 7],
    ]);
    for (const group of groups) t.same(group.children.map((c) => c.number), group.children.map((_, i) => i + 1));
    t.equal(groups[0]!.children[0]!.text, '在校党委领导下，成立援和项目建设领导小组，负责援和项目建设统筹规划、方案决策、指导实施和监督管理。', 'the member list and the pasted 二、 are not part of （一）1');
    t.equal(groups[1]!.children[2]!.text.split('\n').length, 2, '（二）3 has two paragraphs');
    const majors = groups[1]!.children[1]!;
    t.equal(majors.title, '帮扶烹饪、电商、汽修、服装等专业建设');
    t.same(
      majors.children.map((c) => [c.units, c.text]),
      [
        [['天津职业大学'], '由天津职业大学对口支援烹饪工艺与营养专业'],
        [['天津交通职业'], '天津交通职业对口支援汽车检测与维修技术专业'],
        [['天津轻工职业技术学院'], '天津轻工职业技术学院对口支援服装设计与工艺专业'],
        [['天津商务职业技术学院'], '天津商务职业技术学院对口支援电子商务专业'],
      ],
      '4 majors, each to its college',
    );
    for (const major of majors.children) t.ok(majors.text.includes(major.text), 'each clause is part of the item');
    t.same(
      s2018.lists['tjvi-2018-118-schedule']!.tasks.map((p) => [p.label, p.window]),
      [
        ['第一阶段', { start: '2018-08-20', end: '2018-09-30' }],
        ['第二阶段', { start: '2018-10-01', end: '2019-06-30' }],
        ['第三阶段', { start: '2019-07-01', end: '2020-02-29' }],
      ],
      '3 phases with their dates',
    );
    t.ok(s2018.term.includes('2018年9月至2020年2月'), 'the project term, which is no task');
  });

  await t.test('津职大党〔2019〕68号', async (t) => {
    t.match(s2019.document, { issuers: ['中共天津职业大学委员会'], issuedOn: null, docNumber: '津职大党〔2019〕68号' });
    t.same(s2019.document.parts.map((p) => [p.number, p.title, p.text !== null, p.articles.map((a) => a.title)]), [
      ['一', '总体要求', true, []],
      ['二', '方法步骤', true, []],
      ['三', '研讨主题', true, []],
      ['四', '保障措施', false, ['强化组织领导', '坚持分类指导', '强化宣传引导']],
    ]);
    t.same(
      s2019.lists['tjvi-2019-68-phases']!.tasks.map((p) => [p.label, p.title, p.responsibleText, p.units, p.window]),
      [
        ['（一）', '宣传发动阶段', '教工部、教务处、组织部、宣传部', ['教工部', '教务处', '组织部', '宣传部'], { start: '2019-08-21', end: '2019-09-10' }],
        ['（二）', '学习讨论阶段', '组织部、宣传部、教工部、教务处、各单位', ['组织部', '宣传部', '教工部', '教务处'], { start: '2019-09-11', end: '2019-10-20' }],
        ['（三）', '实践转化阶段', '各单位', [], { start: '2019-10-21', end: '2019-12-31' }],
      ],
      '3 phases, their cells, units and windows',
    );
    const topics = s2019.lists['tjvi-2019-68-topics']!.tasks;
    t.same(topics.map((topic) => topic.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], '10 topics');
    for (const topic of topics) t.notMatch(topic.text, /[；。]$/, 'no trailing ；/。');
  });

  await t.test('2021 roadmap', async (t) => {
    t.equal(s2021.document.title, '精准施策促脱贫 倾心聚力助振兴');
    const years = s2021.lists['tjvi-2021-roadmap']!.tasks;
    t.same(
      years.map((y) => [y.label, y.window, y.children.length]),
      [
        ['2019年', { start: '2019-01-01', end: '2019-12-31' }, 5],
        ['2020年', { start: '2020-01-01', end: '2020-12-31' }, 4],
        ['2021年', { start: '2021-01-01', end: '2021-12-31' }, 4],
        ['2022年', { start: '2022-01-01', end: '2022-12-31' }, 6],
      ],
      '4 years with their item counts',
    );
    for (const year of years) t.same(year.children.map((c) => c.number), year.children.map((_, i) => i + 1));
    const targets = years.flatMap((y) => y.children.filter((c) => c.indicators.length > 0).map((c) => [`${y.label}${c.number}`, [...c.indicators].sort(byTarget)]));
    t.same(targets, [
      ['2019年2', [{ target: 5, unit: '名' }]],
      ['2020年2', [{ target: 500, unit: '人次' }]],
      ['2020年3', [{ target: 1000, unit: '人次' }]],
      ['2021年2', [{ target: 500, unit: '人次' }]],
      ['2021年3', [{ target: 1000, unit: '人次' }]],
      ['2022年2', [{ target: 7, unit: null }, { target: 21, unit: '个' }, { target: 10000, unit: '人' }]],
      ['2022年4', [{ target: 10, unit: '%' }]],
    ]);
  });

  await t.test('every text of the parse is in its source, as is every unit name', async (t) => {
    for (const { file, source } of documents) {
      const flat = flatSource(file);
      inSource(t, flat, source.document.title, 'title');
      for (const part of source.document.parts) {
        inSource(t, flat, part.text, `part ${part.number}`);
        for (const article of part.articles) inSource(t, flat, `${article.title}。${article.text}`, `article ${article.number}`);
      }
      for (const [listId, list] of Object.entries(source.lists)) {
        for (const piece of list.title.split(' ')) inSource(t, flat, piece, `${listId} title`);
        walk(fromSource(list.tasks, listId), (node) => {
          inSource(t, flat, node.text, node.id);
          inSource(t, flat, node.title, `${node.id} title`);
          inSource(t, flat, node.responsibleText, `${node.id} cell`);
          for (const unit of node.units) t.ok(UNITS[unit]?.files.includes(file), `${unit} is a unit of ${file}`);
        });
      }
    }
    for (const [name, unit] of Object.entries(UNITS)) for (const file of unit.files) t.ok(flatSource(file).includes(name), `${name} is named in ${file}`);
  });
});

// ------------------------------------------------------------------ the seed files

function checkDocument(t: Test, served: any, expected: SourceDocument) {
  t.equal(served.title, expected.title);
  t.same(served.issuers, expected.issuers);
  t.equal(served.issuedOn ?? null, expected.issuedOn);
  t.equal(served.docNumber ?? null, expected.docNumber);
  t.same(
    (served.parts ?? []).map((p: any) => ({
      number: p.number,
      title: p.title ?? null,
      text: p.text ?? null,
      articles: (p.articles ?? []).map((a: any) => ({ number: a.number, title: a.title ?? null, text: a.text })),
    })),
    expected.parts,
  );
}

/** Indicators: the target printed in the task's text with its unit, the name in the source's words. */
function checkIndicators(t: Test, task: { id: string; text: string; indicators?: any[] }, year: string | null) {
  const keys = (task.indicators ?? []).map((i) => i.key);
  if (keys.length > 0) t.equal(new Set(keys).size, keys.length, `${task.id}: indicator keys unique`);
  for (const indicator of task.indicators ?? []) {
    const forms = printedTarget(indicator.target, indicator.unit);
    // The digits stand alone: 7 may not be read out of 2025, nor 10 out of 1000.
    const printed = forms.some((form) => new RegExp(`(?<![\\d.])${form.replace(/[%.]/g, '\\$&')}${indicator.unit === null ? '(?![\\d.])' : ''}`).test(task.text));
    t.ok(printed, `${task.id} ${indicator.key}: ${forms.join(' or ')} is in the text`);
    t.ok(task.text.includes(indicator.name), `${task.id} ${indicator.key}: name 「${indicator.name}」 in the text`);
    t.match(indicator, { direction: 'at_least', due: year, baseline: null }, `${task.id} ${indicator.key}: at least, due ${year}, no baseline`);
  }
}

const seedFile = (id: string) => JSON.parse(readFileSync(new URL(`../../seeds/${id}.json`, import.meta.url), 'utf8')) as unknown;

t.test('the seed files are import files that match the sources', async (t) => {
  const tjviDefinitions = new Set<string>();
  for (const { id, file, source } of documents) {
    await t.test(id, async (t) => {
      const parsed = ImportFile.safeParse(seedFile(id));
      if (!parsed.success) {
        t.fail(`seeds/${id}.json: ${z.prettifyError(parsed.error)}`);
        return;
      }
      const seed = parsed.data;
      t.equal(seed.format, 'duban.document/1');
      const units = new Map(seed.units!.map((unit) => [unit.id, unit]));
      const unitName = (ref: string) => {
        t.ok(units.has(ref), `${ref} is a unit of the file`);
        return units.get(ref)?.name ?? ref;
      };
      tjviDefinitions.add(JSON.stringify(units.get('tjvi')));

      const flat = flatSource(file);
      for (const unit of seed.units!) {
        const expected = UNITS[unit.name];
        t.ok(expected, `${unit.name} is a unit the readings know`);
        t.ok(flat.includes(unit.name), `${unit.name} is named in the source`);
        t.match(unit, { kind: expected?.kind, fullName: expected?.fullName ?? /\S/, nameEn: /\S/ }, unit.name);
        t.equal(unit.parent ? unitName(unit.parent) : null, expected?.parent ?? null, `${unit.name}'s parent`);
      }

      checkDocument(t, seed.document, source.document);
      t.equal(seed.document!.id, id);
      t.equal(seed.document!.sourceFile, `sources/${file}`);
      t.same(seed.lists!.map((list) => list.id), Object.keys(source.lists));
      for (const list of seed.lists!) {
        const expected = source.lists[list.id]!;
        t.equal(list.title, expected.title, `${list.id} title`);
        t.equal(list.annex ?? null, expected.annex, `${list.id} annex`);
        const owner = list.owner ? [unitName(list.owner)] : [];
        t.same(fromSeed(list.tasks, list.id, unitName, owner), fromSource(expected.tasks, list.id), `${list.id}: tasks, word for word`);
        const check = (tasks: TaskEntry[], parentId: string, year: string | null) => {
          for (const task of tasks) {
            const taskId = task.id ?? `${parentId}-${pad(task.number)}`;
            const due = task.window?.start ? task.window.start.slice(0, 4) : year;
            checkIndicators(t, { id: taskId, text: task.text, indicators: task.indicators }, due);
            check(task.children ?? [], taskId, due);
          }
        };
        check(list.tasks, list.id, null);
      }
    });
  }
  t.equal(tjviDefinitions.size, 1, '天津职业大学 is defined identically in each file');
});

// ------------------------------------------------------------------ what the API serves

async function allPages(app: FastifyInstance, url: string) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const { status, body }: { status: number; body: any } = await getJson(app, cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url);
    if (status !== 200) throw new Error(`${url}: ${status} ${JSON.stringify(body)}`);
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

t.test('served data matches the sources word for word', async (t) => {
  const { app } = await setupApp(t, {}, { seeds: 'all' });
  const agencies = await allPages(app, '/v1/agencies?limit=200');
  const agencyById = new Map(agencies.map((a: any) => [a.id, a]));

  await t.test('agencies: the units the sources name, once each, with kind and parent', async (t) => {
    for (const [name, expected] of Object.entries(UNITS)) {
      const found = agencies.filter((a: any) => a.name === name);
      t.equal(found.length, 1, `${name} is one agency`);
      const [agency] = found;
      if (!agency) continue;
      t.match(agency, { kind: expected.kind, fullName: expected.fullName ?? /\S/, nameEn: /\S/ }, name);
      t.equal(agency.parentId ? agencyById.get(agency.parentId)?.name : null, expected.parent, `${name}'s parent`);
    }
  });

  for (const { id, source } of documents) {
    await t.test(id, async (t) => {
      const { status, body: document } = await getJson(app, `/v1/documents/${id}`);
      t.equal(status, 200, `GET /v1/documents/${id}`);
      checkDocument(t, document, source.document);

      for (const [listId, expected] of Object.entries(source.lists)) {
        const { body: list } = await getJson(app, `/v1/task-lists/${listId}`);
        t.match(list, { id: listId, documentId: id, title: expected.title, annex: expected.annex }, `list ${listId}`);

        const items = await allPages(app, `/v1/tasks?list=${listId}&limit=200`);
        t.equal(items.length, countTree(expected.tasks), `${listId}: every task of the source, no other`);
        const fields = ['parentId', 'label', 'title', 'window', 'indicators'];
        t.same(fields.filter((field) => !items.every((task: any) => field in task)), [], `${listId}: tasks are served with ${fields.join(', ')}`);
        const served = fromServed(items, null);
        t.same(served, fromSource(expected.tasks, listId), `${listId}: tasks, word for word`);

        const byId = new Map(items.map((task: any) => [task.id, task]));
        walk(served, (node, ancestors) => {
          const task = byId.get(node.id);
          t.equal(task.listId, listId, `${node.id} is in ${listId}`);
          t.same(task.assignments.map((a: any) => a.role), node.units.map((_, i) => (i === 0 ? 'lead' : 'co')), `${node.id}: the first unit leads`);
          const from = node.window ? null : [...ancestors].reverse().find((ancestor) => ancestor.window);
          if (from) t.same(task.window, { ...from.window, inheritedFrom: from.id }, `${node.id} inherits ${from.id}'s window`);
          else if (!node.window) t.equal(task.window, null, `${node.id} has no window`);
          const year = (node.window ?? from?.window)?.start.slice(0, 4) ?? null;
          checkIndicators(t, task, year);
        });
      }
    });
  }
});
