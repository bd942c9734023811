import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { setTaskState } from '../helpers/factories.js';
import { readSource } from '../helpers/source.js';

const source = readSource();
const annex2Id = (n: number) => `tj-2021-annex2-${String(n).padStart(2, '0')}`;
const cellsContaining = (unit: string) => source.annex2.filter((row) => row.cells[1]!.split(/[、，]/).includes(unit)).map((row) => annex2Id(row.number));
const ids = (page: any) => page.items.map((task: any) => task.id);

t.test('GET /v1/tasks', async (t) => {
  const { app, database } = await setupApp(t);
  const db = database.handle.db;
  const all = (await getJson(app, '/v1/tasks?limit=200')).body;

  t.test('lists all 58 tasks, by list then number', async (t) => {
    t.equal(all.items.length, 58);
    t.equal(all.nextCursor, null);
    const expected = [...source.annex1.map((r) => `tj-2021-annex1-0${r.number}`), ...source.annex2.map((r) => annex2Id(r.number))];
    t.same(ids(all), expected);
  });

  t.test('default page is 50, and the cursor continues where it stopped', async (t) => {
    const first = (await getJson(app, '/v1/tasks')).body;
    t.equal(first.items.length, 50);
    t.type(first.nextCursor, 'string');
    const second = (await getJson(app, `/v1/tasks?cursor=${encodeURIComponent(first.nextCursor)}`)).body;
    t.equal(second.items.length, 8);
    t.equal(second.nextCursor, null);
    t.same([...ids(first), ...ids(second)], ids(all));
  });

  t.test('walking with any page size neither skips nor repeats', async (t) => {
    for (const limit of [1, 7, 29, 57, 58]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/v1/tasks?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: any = (await getJson(app, query)).body;
        seen.push(...ids(page));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      t.same(seen, ids(all), `limit ${limit}`);
      t.equal(pages, Math.ceil(58 / limit), `limit ${limit} takes ${Math.ceil(58 / limit)} pages`);
    }
  });

  t.test('a cursor keeps its filters stable across pages', async (t) => {
    const first = (await getJson(app, '/v1/tasks?list=tj-2021-annex2&agency=tj-hrss-bureau&limit=5')).body;
    const rest = (await getJson(app, `/v1/tasks?list=tj-2021-annex2&agency=tj-hrss-bureau&limit=100&cursor=${first.nextCursor}`)).body;
    t.same([...ids(first), ...ids(rest)], cellsContaining('市人社局'));
  });

  t.test('list', async (t) => {
    t.equal((await getJson(app, '/v1/tasks?list=tj-2021-annex2&limit=200')).body.items.length, 52);
    t.same(ids((await getJson(app, '/v1/tasks?list=tj-2021-annex1')).body), [1, 2, 3, 4, 5, 6].map((n) => `tj-2021-annex1-0${n}`));
    t.same((await getJson(app, '/v1/tasks?list=no-such-list')).body, { items: [], nextCursor: null });
  });

  t.test('agency and role', async (t) => {
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-hrss-bureau&limit=200')).body), cellsContaining('市人社局'));
    const leads = source.annex2.filter((row) => row.cells[1]!.startsWith('市人社局')).map((row) => annex2Id(row.number));
    t.same(leads, [annex2Id(11), annex2Id(27), annex2Id(44)], 'the source has 市人社局 lead 11, 27 and 44');
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-hrss-bureau&role=lead')).body), leads);
    const co = (await getJson(app, '/v1/tasks?agency=tj-hrss-bureau&role=co&limit=200')).body;
    t.equal(co.items.length, cellsContaining('市人社局').length - 3);
  });

  t.test('a district sees the tasks of 各区人民政府 as well as its own', async (t) => {
    const groupTasks = cellsContaining('各区人民政府');
    t.ok(groupTasks.length > 10);
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-district-heping&limit=200')).body), groupTasks);
    const binhai = [...groupTasks, annex2Id(32)].sort();
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-district-binhai&limit=200')).body), binhai);
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-district-heping&role=lead')).body), [annex2Id(52)], '各区人民政府 leads task 52');
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-district-governments&limit=200')).body), groupTasks, 'the group itself');
  });

  t.test('article', async (t) => {
    t.same(ids((await getJson(app, '/v1/tasks?article=tj-2021-art-17')).body), [42, 43, 44, 45, 46].map(annex2Id));
    t.same(ids((await getJson(app, '/v1/tasks?article=tj-2021-art-12')).body), ['tj-2021-annex1-04', annex2Id(32)]);
  });

  t.test('q matches text and cell literally, case-insensitively', async (t) => {
    const luban = [...source.annex1.filter((r) => r.cells[0]!.includes('鲁班工坊')).map((r) => `tj-2021-annex1-0${r.number}`), ...source.annex2.filter((r) => r.cells.join().includes('鲁班工坊')).map((r) => annex2Id(r.number))];
    t.same(ids((await getJson(app, `/v1/tasks?q=${encodeURIComponent('鲁班工坊')}`)).body), luban);
    t.same(ids((await getJson(app, `/v1/tasks?q=${encodeURIComponent('%')}`)).body), [annex2Id(3), annex2Id(43)], '% is a character, not a wildcard');
    t.same(ids((await getJson(app, '/v1/tasks?q=_')).body), []);
    t.same(ids((await getJson(app, '/v1/tasks?q=ppp')).body), [annex2Id(6)], 'case-insensitive: PPP');
    t.same(ids((await getJson(app, `/v1/tasks?q=${encodeURIComponent('市委编办')}`)).body), [annex2Id(43)], 'the responsibility cell is searched');
  });

  t.test('status, overdue, stale, updatedSince', async (t) => {
    await setTaskState(db, annex2Id(7), { status: 'in_progress' });
    await setTaskState(db, annex2Id(9), { status: 'completed', dueDate: '2026-01-31' });
    await setTaskState(db, annex2Id(5), { dueDate: '2026-02-27' });
    await setTaskState(db, annex2Id(8), { dueDate: '2026-03-10', status: 'in_progress', lastReportAt: new Date('2026-02-20T00:00:00Z') });
    await setTaskState(db, annex2Id(10), { updatedAt: new Date('2026-02-15T00:00:00Z'), version: 2 });

    t.same(ids((await getJson(app, '/v1/tasks?status=in_progress')).body), [annex2Id(7), annex2Id(8)]);
    t.same(ids((await getJson(app, '/v1/tasks?status=completed')).body), [annex2Id(9)]);

    const overdue = (await getJson(app, '/v1/tasks?overdue=true')).body;
    t.same(ids(overdue), [annex2Id(5)], 'completed task 9 is past its date but not overdue');
    t.match(overdue.items[0], { overdue: true, health: 'red' });
    t.equal((await getJson(app, '/v1/tasks?overdue=false&limit=200')).body.items.length, 57);

    const amber = (await getJson(app, `/v1/tasks/${annex2Id(8)}`)).body;
    t.match(amber, { overdue: false, stale: false, health: 'amber' }, 'due within 14 days');

    // Seeded 2026-01-05, now 2026-03-01: every open task without a recent report is stale.
    const fresh = (await getJson(app, '/v1/tasks?stale=false')).body;
    t.same(ids(fresh), [annex2Id(8), annex2Id(9)], 'reported 9 days ago, or completed');
    t.equal((await getJson(app, '/v1/tasks?stale=true&limit=200')).body.items.length, 56);

    t.same(ids((await getJson(app, '/v1/tasks?updatedSince=2026-02-01T00:00:00Z')).body), [annex2Id(10)]);
    t.same(ids((await getJson(app, '/v1/tasks?updatedSince=2026-02-15T08:00:00%2B08:00')).body), [annex2Id(10)], 'offsets are honoured');
    t.same(ids((await getJson(app, '/v1/tasks?updatedSince=2026-02-15T00:00:00.001Z')).body), []);
  });

  t.test('filters combine', async (t) => {
    t.same(ids((await getJson(app, '/v1/tasks?list=tj-2021-annex2&agency=tj-education-commission&role=lead&article=tj-2021-art-01')).body), []);
    t.same(ids((await getJson(app, '/v1/tasks?agency=tj-education-commission&article=tj-2021-art-01')).body), [1, 2, 3].map(annex2Id));
  });

  t.test('role needs an agency', async (t) => {
    const { status, body, headers } = await getJson(app, '/v1/tasks?role=lead');
    t.equal(status, 400);
    t.match(headers['content-type'], /^application\/problem\+json/);
    t.match(body, { code: 'validation_failed', errors: [{ location: 'querystring', path: 'role' }] });
  });
});

t.test('GET /v1/tasks/{id}', async (t) => {
  const { app, database, clock, key } = await setupApp(t);

  t.test('serves one task with an ETag of its version and what of the clock it shows', async (t) => {
    const { status, body, headers } = await getJson(app, '/v1/tasks/tj-2021-annex2-42');
    t.equal(status, 200);
    t.equal(headers.etag, '"1-green-stale"', 'version 1, green, no report for 30 days');
    t.match(body, {
      id: 'tj-2021-annex2-42',
      listId: 'tj-2021-annex2',
      number: 42,
      text: '建立校企“共聘共育”、“双栖制”引人用人机制。',
      articleId: 'tj-2021-art-17',
      responsibleText: '市教委、市人社局',
      status: 'not_started',
      progress: 0,
      dueDate: null,
      version: 1,
      relatedTaskIds: [],
      lastReportAt: null,
      createdAt: '2026-01-05T08:00:00.000Z',
    });
    t.same(body.assignments, [
      { agencyId: 'tj-education-commission', agencyName: '市教委', role: 'lead', position: 1, progress: null, acknowledgedAt: null },
      { agencyId: 'tj-hrss-bureau', agencyName: '市人社局', role: 'co', position: 2, progress: null, acknowledgedAt: null },
    ]);
  });

  t.test('the ETag follows the version', async (t) => {
    await setTaskState(database.handle.db, 'tj-2021-annex2-42', { version: 4 });
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-42')).headers.etag, '"4-green-stale"');
  });

  t.test('If-None-Match: 304 while the task is as the client holds it, 200 once it changed or the clock changed what it shows', async (t) => {
    const id = 'tj-2021-annex2-43';
    const auditor = await key('auditor');
    const read = (ifNoneMatch?: string) => app.inject({ method: 'GET', url: `/v1/tasks/${id}`, headers: { authorization: auditor, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) } });
    await setTaskState(database.handle.db, id, { dueDate: '2026-03-10', lastReportAt: clock.now });
    const first = await read();
    t.equal(first.headers.etag, '"1-amber"', 'due within the amber window, reported today');
    const revalidated = await read(first.headers.etag as string);
    t.equal(revalidated.statusCode, 304);
    t.equal(revalidated.body, '', 'no body');
    t.equal(revalidated.headers.etag, first.headers.etag);
    t.equal((await read(`"x", ${first.headers.etag}`)).statusCode, 304, 'any tag of a list');
    t.equal((await read(`W/${first.headers.etag}`)).statusCode, 304, 'weak comparison');
    t.equal((await read('"1"')).statusCode, 200, 'the version alone does not say what the client shows');

    const saved = clock.now;
    clock.now = new Date('2026-03-11T12:00:00.000Z');
    t.teardown(() => void (clock.now = saved));
    const overdue = await read(first.headers.etag as string);
    t.equal(overdue.statusCode, 200, 'turned overdue with the clock alone');
    t.equal(overdue.headers.etag, '"1-red"');
    t.equal(overdue.json().overdue, true);
    clock.now = saved;

    await setTaskState(database.handle.db, id, { version: 2 });
    t.equal((await read(first.headers.etag as string)).statusCode, 200, 'a new version');
  });

  t.test('unknown id is a 404 problem', async (t) => {
    const { status, body } = await getJson(app, '/v1/tasks/tj-2021-annex2-53');
    t.equal(status, 404);
    t.match(body, { type: 'urn:duban:problem:not-found', status: 404, code: 'not_found', detail: /tj-2021-annex2-53/ });
  });
});
