import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

/** The cells of a counts row (total, the five statuses, red, amber, green, completion, overdue, stale) as the page shows them. */
function countCells(row: string): string[] {
  return [...row.matchAll(/<td class="num[^"]*">([^<]*)<\/td>/g)].map((m) => m[1]!);
}

/** What the same cells hold for a summary report. */
function summaryCells(summary: any): string[] {
  const s = summary.byStatus;
  return [summary.total, s.not_started, s.in_progress, s.delayed, s.completed, s.verified, summary.byHealth.red, summary.byHealth.amber, summary.byHealth.green]
    .map(String)
    .concat([`${Math.round(summary.completionRate * 1000) / 10}%`, String(summary.overdue), String(summary.stale)]);
}

function taskIds(body: string): string[] {
  return [...body.matchAll(/<tr data-task="([^"]+)"/g)].map((m) => m[1]!);
}

/** The ids of a /v1/tasks query, every page. */
async function apiTaskIds(app: FastifyInstance, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { body }: { body: { items: { id: string }[]; nextCursor: string | null } } = await getJson(app, `/v1/tasks?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...body.items.map((task: { id: string }) => task.id));
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
}

t.test('the board under PUBLIC_READ', async (t) => {
  const { app, key, database } = await setupApp(t, { PUBLIC_READ: 'true' });
  const supervisor = await key('supervisor');
  const hrss = await key('agency', 'tj-hrss-bureau');
  await patchTask(app, supervisor, 'tj-2021-annex2-01', '"1"', { dueDate: '2026-02-01' }); // overdue → red
  await patchTask(app, supervisor, 'tj-2021-annex2-02', '"1"', { dueDate: '2026-03-10' }); // amber
  await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'completed' });
  await patchTask(app, supervisor, 'tj-2021-annex2-44', '"2"', { status: 'verified' });
  t.equal((await postReport(app, hrss, 'tj-2021-annex2-08', { note: '按月报送' })).status, 201);

  t.test('the start page: each list with the counts /v1/reports/summary gives for it', async (t) => {
    const response = await app.inject({ url: '/' });
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^text\/html; charset=utf-8/);
    t.match(response.body, /<html lang="zh-CN">/);
    for (const list of ['tj-2021-annex1', 'tj-2021-annex2']) {
      const row = new RegExp(`<tr data-list="${list}">([\\s\\S]*?)</tr>`).exec(response.body)?.[1] ?? '';
      const { body: summary } = await getJson(app, `/v1/reports/summary?list=${list}`, null);
      t.same(countCells(row), summaryCells(summary), `${list}: the board's counts are the summary's`);
    }
    t.match(response.body, 'href="/lists/tj-2021-annex2"');
  });

  t.test('pages carry a strict policy and the one stylesheet', async (t) => {
    const response = await app.inject({ url: '/' });
    const csp = String(response.headers['content-security-policy']);
    t.match(csp, /default-src 'none'/);
    t.match(csp, /style-src 'self'/);
    t.notMatch(csp, /unsafe-inline|script-src/, 'no inline anything, and no script at all');
    t.notMatch(response.body, /<script|style="/);
    const css = await app.inject({ url: '/board.css' });
    t.equal(css.statusCode, 200);
    t.match(css.headers['content-type'], /^text\/css/);
    t.match(css.body, /"Noto Sans CJK SC"/);
    t.match(css.body, /@media print/);
  });

  t.test('the list page: counts equal the summary, every task, the burn-up chart, a link to the bulletin', async (t) => {
    const response = await app.inject({ url: '/lists/tj-2021-annex2' });
    t.equal(response.statusCode, 200);
    const { body: summary } = await getJson(app, '/v1/reports/summary?list=tj-2021-annex2', null);
    const counts = /<table class="counts"[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(response.body)?.[1] ?? '';
    t.same(countCells(counts), summaryCells(summary));
    t.same(taskIds(response.body), await apiTaskIds(app, 'list=tj-2021-annex2'), 'every task, in list order');
    t.match(response.body, /<svg viewBox="0 0 640 220" role="img"/);
    t.match(response.body, /<polyline class="series-done"/);
    t.match(response.body, 'href="/lists/tj-2021-annex2/bulletin/2026-03"');
    t.match(response.body, /<tr data-task="tj-2021-annex2-01"[\s\S]*?health-red/, 'an overdue task shows red');
  });

  t.test('filters narrow the table as the API filters do, as links that keep each other', async (t) => {
    const path = '/lists/tj-2021-annex2';
    t.same(taskIds((await app.inject({ url: `${path}?status=verified` })).body), ['tj-2021-annex2-44']);
    t.same(taskIds((await app.inject({ url: `${path}?overdue=true` })).body), ['tj-2021-annex2-01']);
    t.same(taskIds((await app.inject({ url: `${path}?health=amber` })).body), ['tj-2021-annex2-02']);
    t.same(taskIds((await app.inject({ url: `${path}?stale=false` })).body), await apiTaskIds(app, 'list=tj-2021-annex2&stale=false'));
    const byAgency = await app.inject({ url: `${path}?agency=tj-hrss-bureau&stale=true` });
    t.same(taskIds(byAgency.body), await apiTaskIds(app, 'list=tj-2021-annex2&agency=tj-hrss-bureau&stale=true'));
    t.ok(taskIds(byAgency.body).length > 0);
    t.match(byAgency.body, `href="${path}?agency=tj-hrss-bureau&amp;stale=true&amp;status=delayed"`, 'a status link keeps the other filters');
    t.match(byAgency.body, /<strong aria-current="page">/);
    t.match((await app.inject({ url: `${path}?status=delayed` })).body, /没有符合条件的任务/);
  });

  t.test('English with lang=en: names, status names, and links that keep it', async (t) => {
    const response = await app.inject({ url: '/lists/tj-2021-annex2?lang=en&status=verified' });
    t.equal(response.statusCode, 200);
    t.match(response.body, /<html lang="en">/);
    t.match(response.body, /Verified/);
    const { body: hrssAgency } = await getJson(app, '/v1/agencies/tj-hrss-bureau', null);
    t.match(response.body, hrssAgency.nameEn, 'the lead unit by its English name');
    t.match(response.body, 'href="/tasks/tj-2021-annex2-44?lang=en"');
    t.match(response.body, 'href="/lists/tj-2021-annex2?status=verified" hreflang="zh-CN"', 'the switch back keeps the filter');
    t.match((await app.inject({ url: '/' })).body, /未启动/);
  });

  t.test('the task page: verbatim text, article, units; the history only for keys that may read it', async (t) => {
    const { body: task } = await getJson(app, '/v1/tasks/tj-2021-annex2-08', null);
    const response = await app.inject({ url: '/tasks/tj-2021-annex2-08' });
    t.equal(response.statusCode, 200);
    t.match(response.body, task.text.replaceAll('"', '&quot;').replaceAll("'", '&#39;'));
    for (const assignment of task.assignments) t.match(response.body, `href="/agencies/${assignment.agencyId}"`);
    t.match(response.body, /变更记录仅对督查、审计账号及本任务的责任单位可见/, 'an anonymous reader does not get the ledger, as GET /v1/tasks/{id}/events refuses it');
    t.notMatch(response.body, /<tr data-event=/);
  });

  t.test('the agency page: what it leads and co-operates, what is overdue, when it last reported', async (t) => {
    const response = await app.inject({ url: '/agencies/tj-hrss-bureau' });
    t.equal(response.statusCode, 200);
    const { body: report } = await getJson(app, '/v1/reports/agencies?agency=tj-hrss-bureau', null);
    const row = report.items[0];
    t.match(response.body, new RegExp(`<dt>牵头的任务</dt><dd class="num">${row.led}</dd>`));
    t.match(response.body, new RegExp(`<dt>配合的任务</dt><dd class="num">${row.coOwned}</dd>`));
    t.match(response.body, /<dd data-last-report>2026-03-01 12:00 UTC<\/dd>/);
    t.match(response.body, new RegExp(`<dt>逾期</dt><dd class="num">${row.counts.overdue}</dd>`), 'the overdue count is the report\'s');
    const leads = await apiTaskIds(app, 'agency=tj-hrss-bureau&role=lead');
    for (const id of leads) t.match(response.body, `<tr data-task="${id}"`);
  });

  t.test('the monthly bulletin: counts, what moved, what is overdue, who did not report', async (t) => {
    const response = await app.inject({ url: '/lists/tj-2021-annex2/bulletin/2026-03' });
    t.equal(response.statusCode, 200);
    const { body: summary } = await getJson(app, '/v1/reports/summary?list=tj-2021-annex2', null);
    const counts = /<table class="counts"[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(response.body)?.[1] ?? '';
    t.same(countCells(counts), summaryCells(summary), 'the month under way is counted as of now');
    t.match(response.body, /<tr data-task="tj-2021-annex2-01"/, 'the overdue task is listed');
    t.match(response.body, /本清单未设定报送周期/, 'a list without a cadence names the units with no report this month');
    t.match(response.body, /<li data-agency="tj-justice-bureau">/);
    t.notMatch(response.body, /<li data-agency="tj-hrss-bureau">/, 'the unit that reported this month is not listed');
    const february = await app.inject({ url: '/lists/tj-2021-annex2/bulletin/2026-02' });
    t.equal(february.statusCode, 200);
    t.match(february.body, /本月没有状态变化/);
    const { body: endOfFebruary } = await getJson(app, '/v1/reports/summary?list=tj-2021-annex2&asOf=2026-02-28T23:59:59.999Z', null);
    const februaryCounts = /<table class="counts"[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(february.body)?.[1] ?? '';
    t.same(countCells(februaryCounts), summaryCells(endOfFebruary), 'a past month is counted as of its end');
  });

  t.test('on a list with a reporting cadence the bulletin names who did not report by the reporting report', async (t) => {
    await database.handle.db.execute(sql`update task_lists set report_cadence = 'monthly', report_due_day = 28 where id = 'tj-2021-annex1'`);
    const response = await app.inject({ url: '/lists/tj-2021-annex1/bulletin/2026-02' });
    t.equal(response.statusCode, 200);
    const { body: report } = await getJson(app, '/v1/reports/reporting?list=tj-2021-annex1&period=2026-02', null);
    const unreported = report.items.filter((row: { status: string }) => row.status === 'missing' || row.status === 'late');
    t.ok(unreported.length > 0);
    t.equal([...response.body.matchAll(/<tr data-agency="/g)].length, unreported.length, 'one row per unit and task the period found missing or late');
    t.match(response.body, '2026-02 · 完成时限 2026-02-28');
    t.notMatch(response.body, /本清单未设定报送周期/);
  });

  t.test('bad input answers an HTML 404 or 400, never a 500', async (t) => {
    const cases: [string, number][] = [
      ['/lists/no-such-list', 404],
      ['/tasks/no-such-task', 404],
      ['/agencies/no-such-agency', 404],
      ['/lists/no-such-list/bulletin/2026-03', 404],
      ['/lists/tj-2021-annex2/bulletin/2026-13', 400],
      ['/lists/tj-2021-annex2/bulletin/march', 400],
      ['/lists/tj-2021-annex2/bulletin/2026-04', 400],
      ['/lists/tj-2021-annex2/bulletin/0000-01', 400],
      ['/lists/tj-2021-annex2/bulletin/0001-01', 400],
      ['/lists/tj-2021-annex2/bulletin/1969-12', 400],
      ['/lists/tj-2021-annex2?status=finished', 400],
      ['/lists/tj-2021-annex2?health=purple', 400],
      ['/lists/tj-2021-annex2?overdue=maybe', 400],
      ['/lists/tj-2021-annex2?agency=no-such-agency', 400],
      ['/lists/tj-2021-annex2?colour=red', 400],
      ['/?lang=fr', 400],
    ];
    for (const [url, status] of cases) {
      const response = await app.inject({ url });
      t.equal(response.statusCode, status, url);
      t.match(response.headers['content-type'], /^text\/html/, url);
      t.match(response.body, /<h1>(未找到|请求有误)<\/h1>/, url);
    }
  });
});

/** Signs in through the form: the form's CSRF cookie and token, then the POST. */
async function signIn(app: FastifyInstance, key: string, next = '/') {
  const form = await app.inject({ url: `/sign-in?next=${encodeURIComponent(next)}` });
  const csrfCookie = form.cookies.find((c) => c.name === '_csrf')!;
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `_csrf=${csrfCookie.value}` },
    payload: new URLSearchParams({ key, _csrf: token, next }).toString(),
  });
  const session = response.cookies.find((c) => c.name === 'duban_board');
  return { response, session, csrf: { cookie: `_csrf=${csrfCookie.value}`, token } };
}

t.test('signing in with a key, without PUBLIC_READ', async (t) => {
  const { app, key } = await setupApp(t);
  const report = { note: '按月报送<script>alert(1)</script>', evidence: ['https://example.org/a.pdf'] };
  t.equal((await postReport(app, await key('agency', 'tj-hrss-bureau'), 'tj-2021-annex2-08', report)).status, 201);

  t.test('a visitor who is not signed in is sent to the form, and comes back after', async (t) => {
    const response = await app.inject({ url: '/lists/tj-2021-annex2?status=verified' });
    t.equal(response.statusCode, 303);
    t.equal(response.headers.location, `/sign-in?next=${encodeURIComponent('/lists/tj-2021-annex2?status=verified')}`);
    const form = await app.inject({ url: response.headers.location as string });
    t.equal(form.statusCode, 200);
    t.match(form.body, /<input id="key" name="key" type="password"/);
    t.match(form.body, '<input type="hidden" name="next" value="/lists/tj-2021-annex2?status=verified">');
    t.notMatch(form.body, '公开访问', 'the form does not call its visitor a public reader');
  });

  t.test('a good key: a session cookie that never holds the key, and pages that read as that key', async (t) => {
    const auditor = (await key('auditor')).slice('Bearer '.length);
    const { response, session } = await signIn(app, auditor, '/tasks/tj-2021-annex2-08');
    t.equal(response.statusCode, 303);
    t.equal(response.headers.location, '/tasks/tj-2021-annex2-08');
    t.ok(session);
    t.equal(session!.httpOnly, true);
    t.equal(session!.sameSite, 'Strict');
    t.equal(session!.path, '/');
    t.notOk(session!.secure, 'plain http here; Secure over https');
    t.notMatch(session!.value, auditor);
    t.notMatch(session!.value, auditor.split('_').at(-1)!);
    const page = await app.inject({ url: '/tasks/tj-2021-annex2-08', cookies: { duban_board: session!.value } });
    t.equal(page.statusCode, 200);
    t.match(page.body, /<tr data-event="\d+"/, 'an auditor reads the history');
    t.match(page.body, '按月报送&lt;script&gt;alert(1)&lt;/script&gt;', 'notes are text, never markup');
    t.match(page.body, '<a href="https://example.org/a.pdf" rel="noopener noreferrer nofollow">');
    t.match(page.body, /报送进展/);
    t.match(page.body, '市教委 (牵头单位)、市人社局', 'the units of the created event, by name');
    t.match(page.body, /action="\/sign-out"/);
  });

  t.test('a wrong key: 401, the form again, no session', async (t) => {
    const { response, session } = await signIn(app, 'duban_nope_nope');
    t.equal(response.statusCode, 401);
    t.match(response.body, /密钥无效或已被吊销/);
    t.notOk(session);
  });

  t.test('the form needs its CSRF token', async (t) => {
    const auditor = (await key('auditor')).slice('Bearer '.length);
    const noToken = await app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${auditor}` });
    t.equal(noToken.statusCode, 403);
    t.notOk(noToken.cookies.find((c) => c.name === 'duban_board'));
    const form = await app.inject({ url: '/sign-in' });
    const csrfCookie = form.cookies.find((c) => c.name === '_csrf')!;
    t.equal(csrfCookie.httpOnly, true);
    t.equal(csrfCookie.sameSite, 'Strict');
    const forged = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `_csrf=${csrfCookie.value}` },
      payload: `key=${auditor}&_csrf=forged`,
    });
    t.equal(forged.statusCode, 403);
    t.match(forged.headers['content-type'], /^text\/html/);
  });

  t.test('only a path on this site follows a sign-in', async (t) => {
    const auditor = (await key('auditor')).slice('Bearer '.length);
    t.equal((await signIn(app, auditor, '//evil.example/')).response.headers.location, '/');
    t.equal((await signIn(app, auditor, 'https://evil.example/')).response.headers.location, '/');
  });

  t.test('an agency key reads the history of its own tasks only', async (t) => {
    const hrss = (await key('agency', 'tj-hrss-bureau')).slice('Bearer '.length);
    const { session } = await signIn(app, hrss);
    const cookies = { duban_board: session!.value };
    const own = await app.inject({ url: '/tasks/tj-2021-annex2-08', cookies });
    t.match(own.body, /<tr data-event=/);
    const { body: other } = await getJson(app, '/v1/tasks?list=tj-2021-annex2&agency=tj-hrss-bureau&limit=200');
    const ownIds = new Set(other.items.map((task: { id: string }) => task.id));
    const foreign = (await apiTaskIds(app, 'list=tj-2021-annex2')).find((id) => !ownIds.has(id))!;
    const page = await app.inject({ url: `/tasks/${foreign}`, cookies });
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, /<tr data-event=/);
    t.match(page.body, /变更记录仅对/);
  });

  t.test('revoking the key ends its sessions', async (t) => {
    const admin = await key('admin');
    const auditor = await key('auditor');
    const { session } = await signIn(app, auditor.slice('Bearer '.length));
    t.equal((await app.inject({ url: '/', cookies: { duban_board: session!.value } })).statusCode, 200);
    const { body: me } = await getJson(app, '/v1/me', auditor);
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${me.keyId}`, headers: { authorization: admin } })).statusCode, 204);
    t.equal((await app.inject({ url: '/', cookies: { duban_board: session!.value } })).statusCode, 303);
  });

  t.test('signing out ends the session, with the form token', async (t) => {
    const auditor = (await key('auditor')).slice('Bearer '.length);
    const { session } = await signIn(app, auditor);
    const cookies = { duban_board: session!.value };
    const page = await app.inject({ url: '/', cookies });
    const token = /action="\/sign-out"[^>]*><input type="hidden" name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const csrfCookie = page.cookies.find((c) => c.name === '_csrf')!;
    const withoutToken = await app.inject({ method: 'POST', url: '/sign-out', cookies: { ...cookies, _csrf: csrfCookie.value }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    t.equal(withoutToken.statusCode, 403);
    const out = await app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { ...cookies, _csrf: csrfCookie.value },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}`,
    });
    t.equal(out.statusCode, 303);
    t.equal(out.headers.location, '/sign-in');
    t.equal(out.cookies.find((c) => c.name === 'duban_board')?.value, '');
    t.equal((await app.inject({ url: '/', cookies })).statusCode, 303, 'the old cookie opens nothing');
  });
});

t.test('what a hostile link or a guessing visitor gets from the sign-in', async (t) => {
  const { app, key } = await setupApp(t, { AUTH_FAILURES_PER_MINUTE: '3' });
  const auditor = (await key('auditor')).slice('Bearer '.length);

  t.test('only a path on this site follows a sign-in, as a browser reads the path', async (t) => {
    const { session } = await signIn(app, auditor);
    const offSite = ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\evil.example', '//evil.example', 'https://evil.example/', 'javascript:alert(1)'];
    for (const next of offSite) {
      const { response } = await signIn(app, auditor, next);
      t.equal(response.statusCode, 303, JSON.stringify(next));
      t.equal(response.headers.location, '/', `POST: ${JSON.stringify(next)}`);
      const signedIn = await app.inject({ url: `/sign-in?next=${encodeURIComponent(next)}`, cookies: { duban_board: session!.value } });
      t.equal(signedIn.statusCode, 303);
      t.equal(signedIn.headers.location, '/', `GET: ${JSON.stringify(next)}`);
    }
    const { response } = await signIn(app, auditor, '/lists/tj-2021-annex2?status=verified#tasks');
    t.equal(response.headers.location, '/lists/tj-2021-annex2?status=verified#tasks', 'a path of this site with its query is kept');
    const encoded = await signIn(app, auditor, '/tasks/x\u0000%0d%0aSet-Cookie: a=b');
    t.equal(encoded.response.statusCode, 303);
    t.notMatch(String(encoded.response.headers.location), /[\r\n\0]/, 'control characters go back percent-encoded');
  });

  t.test('pages are never kept by a cache; the stylesheet is', async (t) => {
    const { session } = await signIn(app, auditor);
    const page = await app.inject({ url: '/tasks/tj-2021-annex2-08', cookies: { duban_board: session!.value } });
    t.equal(page.statusCode, 200);
    t.equal(page.headers['cache-control'], 'no-store');
    t.equal((await app.inject({ url: '/sign-in' })).headers['cache-control'], 'no-store');
    t.match((await app.inject({ url: '/board.css' })).headers['cache-control'], /^public/);
  });

  t.test('failed sign-ins are limited per address and key id: the guessed key is refused, the others still sign in', async (t) => {
    const guessed = `${auditor.split('_').slice(0, 2).join('_')}_${'A'.repeat(43)}`;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push((await signIn(app, guessed)).response.statusCode);
    t.same(statuses, [401, 401, 401, 401, 429], 'refused once more than AUTH_FAILURES_PER_MINUTE have failed');
    const { response: limited } = await signIn(app, auditor);
    t.equal(limited.statusCode, 429, 'the right secret for the guessed id waits out the minute too');
    t.match(limited.headers['retry-after'], /^\d+$/);
    t.match(limited.body, /登录失败次数过多/);
    const { response, session } = await signIn(app, (await key('supervisor')).slice('Bearer '.length));
    t.equal(response.statusCode, 303, 'another key from the same address signs in');
    t.ok(session);
  });

  t.test('failures with a bearer key and failures at the form are one count: the form is no second budget', async (t) => {
    const supervisor = (await key('supervisor')).slice('Bearer '.length);
    const guessed = `Bearer ${supervisor.split('_').slice(0, 2).join('_')}_${'B'.repeat(43)}`;
    for (let attempt = 0; attempt < 4; attempt++) t.equal((await app.inject({ url: '/v1/me', headers: { authorization: guessed } })).statusCode, 401);
    const { response } = await signIn(app, supervisor);
    t.equal(response.statusCode, 429, 'the form refuses the id the API has seen guessed');
  });
});
