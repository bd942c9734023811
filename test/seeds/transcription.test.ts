import { readFileSync } from 'node:fs';
import t from 'tap';
import { splitResponsibleCell } from '../../src/domain/responsible-units.js';
import { getJson, setupApp } from '../helpers/app.js';
import { readSource } from '../helpers/source.js';

const source = readSource();

t.test('the source parse itself has the shape the README describes', async (t) => {
  t.equal(source.parts.length, 7);
  t.equal(source.articles.length, 20);
  t.equal(source.annex1.length, 6);
  t.equal(source.annex2.length, 52);
  t.same(
    source.annex2.map((row) => row.number),
    Array.from({ length: 52 }, (_, i) => i + 1),
  );
});

t.test('served data matches the source document word for word', async (t) => {
  const { app } = await setupApp(t);

  await t.test('document, parts and articles', async (t) => {
    const { body: document } = await getJson(app, '/v1/documents/tj-2021');
    t.equal(document.title, '教育部 天津市人民政府关于深化产教城融合 打造新时代职业教育创新发展标杆的意见');
    t.same(document.issuers, ['教育部', '天津市人民政府']);
    t.same(
      document.parts.map((p: any) => ({ number: p.number, title: p.title })),
      source.parts,
    );
    const served = document.parts.flatMap((p: any) => p.articles.map((a: any) => ({ part: p.number, number: a.number, title: a.title, text: a.text })));
    t.same(served, source.articles);
  });

  const { body: annex1 } = await getJson(app, '/v1/tasks?list=tj-2021-annex1&limit=200');
  const { body: annex2 } = await getJson(app, '/v1/tasks?list=tj-2021-annex2&limit=200');
  const { body: document } = await getJson(app, '/v1/documents/tj-2021');
  const articleText = new Map<string, string>(document.parts.flatMap((p: any) => p.articles.map((a: any) => [a.id, a.text])));

  await t.test('Annex 1: 6 Ministry support items, verbatim, owned by 教育部', async (t) => {
    t.same(
      annex1.items.map((task: any) => [task.number, task.text]),
      source.annex1.map((row) => [row.number, row.cells[0]]),
    );
    for (const task of annex1.items) {
      t.equal(task.responsibleText, null, `${task.id} has no responsibility cell in the source`);
      t.same(task.assignments.map((a: any) => [a.agencyName, a.role]), [['教育部', 'lead']]);
    }
  });

  await t.test('Annex 2: 52 Tianjin tasks, verbatim text and responsibility cell', async (t) => {
    t.same(
      annex2.items.map((task: any) => [task.number, task.text, task.responsibleText]),
      source.annex2.map((row) => [row.number, row.cells[0], row.cells[1]]),
    );
  });

  await t.test('assignments are the units of the cell, in order, the first leading', async (t) => {
    for (const task of annex2.items) {
      const units = task.number === 51 ? [] : splitResponsibleCell(task.responsibleText);
      t.same(
        task.assignments.map((a: any) => a.agencyName),
        units,
        `task ${task.number}: ${task.responsibleText}`,
      );
      t.same(
        task.assignments.map((a: any) => a.role),
        units.map((_, i) => (i === 0 ? 'lead' : 'co')),
      );
    }
    const task51 = annex2.items.find((task: any) => task.number === 51);
    t.equal(task51.responsibleText, '部市共建、协调推进', 'the cell names a mechanism, kept verbatim, resolved to no agency');
  });

  await t.test('every task comes from an article that contains its opening words', async (t) => {
    for (const task of [...annex1.items, ...annex2.items].filter((task: any) => task.listId === 'tj-2021-annex2')) {
      t.ok(articleText.get(task.articleId)?.includes(task.text.slice(0, 12)), `${task.id} → ${task.articleId}`);
    }
    t.same(
      annex1.items.map((task: any) => task.articleId),
      ['tj-2021-art-02', 'tj-2021-art-07', 'tj-2021-art-16', 'tj-2021-art-12', 'tj-2021-art-11', 'tj-2021-art-18'],
    );
  });

  await t.test('each Ministry item links to the Tianjin task with the same measure, both ways', async (t) => {
    const byId = new Map<string, any>([...annex1.items, ...annex2.items].map((task: any) => [task.id, task]));
    for (const item of annex1.items) {
      t.equal(item.relatedTaskIds.length, 1, item.id);
      const [relatedId] = item.relatedTaskIds;
      t.ok(byId.get(relatedId).relatedTaskIds.includes(item.id), `${relatedId} links back to ${item.id}`);
    }
    t.same(
      annex1.items.map((task: any) => task.relatedTaskIds[0]),
      ['tj-2021-annex2-05', 'tj-2021-annex2-20', 'tj-2021-annex2-39', 'tj-2021-annex2-32', 'tj-2021-annex2-30', 'tj-2021-annex2-47'],
    );
  });

  await t.test('agencies: only real units, districts under 各区人民政府', async (t) => {
    const { body: agencies } = await getJson(app, '/v1/agencies?limit=200');
    const names = agencies.items.map((a: any) => a.name);
    t.equal(new Set(names).size, names.length, 'no agency twice');
    const districts = agencies.items.find((a: any) => a.name === '各区人民政府');
    t.equal(districts.kind, 'group');
    t.equal(districts.memberIds.length, 16, "Tianjin's 16 district governments");
    const binhai = agencies.items.filter((a: any) => a.name === '滨海新区人民政府');
    t.equal(binhai.length, 1, '滨海新区人民政府 is one agency');
    t.ok(districts.memberIds.includes(binhai[0].id), 'and a member of 各区人民政府');
    t.same(binhai[0].groupIds, [districts.id]);

    const assigned = new Set([...annex1.items, ...annex2.items].flatMap((task: any) => task.assignments.map((a: any) => a.agencyId)));
    // Other seed files bring units of their own (the tjvi documents); this list's are those of seeds/agencies.json.
    const own = new Set((JSON.parse(readFileSync(new URL('../../seeds/agencies.json', import.meta.url), 'utf8')).units as { id: string }[]).map((u) => u.id));
    const unused = agencies.items.filter((a: any) => own.has(a.id) && !assigned.has(a.id) && !districts.memberIds.includes(a.id));
    t.same(
      unused.map((a: any) => a.name),
      [],
      'every agency of seeds/agencies.json outside the district group is named in some cell',
    );
    for (const agency of agencies.items) {
      t.match(agency, { fullName: /\S/, nameEn: /\S/ }, `${agency.name} has full and English names`);
    }
  });
});
