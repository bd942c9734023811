import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';

t.test('documents, task lists and agencies', async (t) => {
  const { app } = await setupApp(t);

  t.test('GET /v1/documents lists summaries without the text', async (t) => {
    const { status, body } = await getJson(app, '/v1/documents');
    t.equal(status, 200);
    t.same(body, {
      items: [
        {
          id: 'tj-2021',
          title: '教育部 天津市人民政府关于深化产教城融合 打造新时代职业教育创新发展标杆的意见',
          issuers: ['教育部', '天津市人民政府'],
          issuedOn: null,
          docNumber: null,
          sourceFile: 'sources/004_9541c4a2d4453ff8.txt',
        },
      ],
      nextCursor: null,
    });
  });

  t.test('GET /v1/documents/{id} has 7 parts and 20 articles in order', async (t) => {
    const { body } = await getJson(app, '/v1/documents/tj-2021');
    t.same(
      body.parts.map((p: any) => [p.id, p.number, p.articles.length]),
      [
        ['tj-2021-part-1', '一', 3],
        ['tj-2021-part-2', '二', 3],
        ['tj-2021-part-3', '三', 3],
        ['tj-2021-part-4', '四', 3],
        ['tj-2021-part-5', '五', 2],
        ['tj-2021-part-6', '六', 4],
        ['tj-2021-part-7', '七', 2],
      ],
    );
    const articleIds = body.parts.flatMap((p: any) => p.articles.map((a: any) => a.id));
    t.same(
      articleIds,
      Array.from({ length: 20 }, (_, i) => `tj-2021-art-${String(i + 1).padStart(2, '0')}`),
    );
    t.equal(body.parts[6].articles[1].number, '（二十）');
  });

  t.test('GET /v1/documents/{id} for an unknown id is a 404 problem', async (t) => {
    const { status, body } = await getJson(app, '/v1/documents/tj-1999');
    t.equal(status, 404);
    t.match(body, { code: 'not_found', detail: 'No document with id "tj-1999".' });
  });

  t.test('GET /v1/task-lists counts the tasks of each list', async (t) => {
    const { body } = await getJson(app, '/v1/task-lists');
    t.same(body, {
      items: [
        { id: 'tj-2021-annex1', documentId: 'tj-2021', title: '教育部支持政策清单', annex: '附件1', ownerId: 'moe', lateExtensionRequests: 'mark_late', reporting: null, taskCount: 6 },
        { id: 'tj-2021-annex2', documentId: 'tj-2021', title: '天津市工作任务清单', annex: '附件2', ownerId: null, lateExtensionRequests: 'mark_late', reporting: null, taskCount: 52 },
      ],
      nextCursor: null,
    });
    const first = (await getJson(app, '/v1/task-lists?limit=1')).body;
    t.same(first.items.map((l: any) => l.id), ['tj-2021-annex1']);
    const second = (await getJson(app, `/v1/task-lists?limit=1&cursor=${first.nextCursor}`)).body;
    t.same(second.items.map((l: any) => l.id), ['tj-2021-annex2']);
    t.equal((await getJson(app, '/v1/task-lists?document=tj-2021')).body.items.length, 2);
    t.same((await getJson(app, '/v1/task-lists?document=other')).body.items, []);
  });

  t.test('GET /v1/task-lists/{id}', async (t) => {
    t.match((await getJson(app, '/v1/task-lists/tj-2021-annex2')).body, { id: 'tj-2021-annex2', taskCount: 52 });
    t.equal((await getJson(app, '/v1/task-lists/tj-2021-annex3')).status, 404);
  });

  t.test('GET /v1/agencies pages through every agency by id', async (t) => {
    const all = (await getJson(app, '/v1/agencies?limit=200')).body;
    t.equal(all.items.length, 43);
    const ids = all.items.map((a: any) => a.id);
    t.same(ids, [...ids].sort());
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await getJson(app, `/v1/agencies?limit=5${cursor ? `&cursor=${cursor}` : ''}`)).body;
      walked.push(...page.items.map((a: any) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    t.same(walked, ids);
  });

  t.test('GET /v1/agencies?kind= filters by kind', async (t) => {
    const districts = (await getJson(app, '/v1/agencies?kind=district_government&limit=200')).body.items;
    t.equal(districts.length, 16);
    t.ok(districts.every((d: any) => d.groupIds.includes('tj-district-governments')));
    const ministries = (await getJson(app, '/v1/agencies?kind=ministry')).body.items;
    t.same(ministries.map((m: any) => m.name), ['教育部']);
    t.same((await getJson(app, '/v1/agencies?kind=planet')).body.items, [], 'kinds are data: an unknown one matches no unit');
    const groups = (await getJson(app, '/v1/agencies?kind=group')).body.items;
    t.same(groups.map((g: any) => g.name).sort(), ['各区人民政府', '各有关部门', '有关行业主管部门'].sort());
  });

  t.test('GET /v1/agencies/{id}', async (t) => {
    t.same((await getJson(app, '/v1/agencies/tj-hrss-bureau')).body, {
      id: 'tj-hrss-bureau',
      name: '市人社局',
      fullName: '天津市人力资源和社会保障局',
      nameEn: 'Tianjin Municipal Human Resources and Social Security Bureau',
      kind: 'municipal_department',
      parentId: null,
      memberIds: [],
      groupIds: [],
    });
    t.equal((await getJson(app, '/v1/agencies/tj-nowhere')).status, 404);
  });
});
