import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

t.test('the 销号 workflow end to end', async (t) => {
  const { app, key, clock } = await setupApp(t);
  const hrss = await key('agency', 'tj-hrss-bureau'); // 市人社局: co on task 8, lead on task 44
  const education = await key('agency', 'tj-education-commission'); // 市教委: lead on task 8
  const supervisor = await key('supervisor');
  const auditor = await key('auditor');

  t.test('a co agency reports progress with a note and evidence', async (t) => {
    const { status, body } = await postReport(app, hrss, 'tj-2021-annex2-08', {
      note: '已在10家产教融合型企业设立学徒岗',
      progress: 30,
      evidence: ['https://hrss.tj.gov.cn/notice/2026-02.html'],
    });
    t.equal(status, 201);
    t.match(body.task, { id: 'tj-2021-annex2-08', progress: 0, version: 2, lastReportAt: clock.now.toISOString(), status: 'not_started', stale: false });
    t.match(body.task.assignments[1], { agencyId: 'tj-hrss-bureau', role: 'co', progress: 30 }, 'the progress is its own share’s, not the task’s');
    t.match(body.event, {
      id: 59,
      seq: 2,
      type: 'progress_reported',
      actor: { role: 'agency', agencyId: 'tj-hrss-bureau', keyId: /^[a-z0-9]{12}$/ },
      changes: { assignments: { to: [{ progress: null }, { agencyId: 'tj-hrss-bureau', progress: 30 }] } },
      note: '已在10家产教融合型企业设立学徒岗',
      evidence: ['https://hrss.tj.gov.cn/notice/2026-02.html'],
      state: { progress: 0 },
      hashVersion: 2,
    });
  });

  t.test('but a co agency cannot change the status', async (t) => {
    const { status, body } = await patchTask(app, hrss, 'tj-2021-annex2-08', '"2"', { status: 'in_progress' });
    t.equal(status, 403);
    t.match(body, { code: 'forbidden', detail: /lead agency/ });
  });

  t.test('the lead moves its task; the ETag follows', async (t) => {
    const { status, body, headers } = await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { status: 'completed', progress: 100, note: '绩效工资政策已印发' });
    t.equal(status, 200);
    t.equal(headers.etag, '"2-green"');
    t.match(body, { status: 'completed', progress: 100, version: 2 });
  });

  t.test('If-Match: missing → 428, stale → 412 with the current version', async (t) => {
    const missing = await patchTask(app, hrss, 'tj-2021-annex2-44', null, { progress: 90 });
    t.equal(missing.status, 428);
    t.match(missing.body, { code: 'precondition_required' });
    const stale = await patchTask(app, hrss, 'tj-2021-annex2-44', '"1"', { progress: 90 });
    t.equal(stale.status, 412);
    t.match(stale.body, { code: 'precondition_failed', currentVersion: 2 });
    for (const header of ['W/"2"', 'W/"2-green"', '"2", "3"', '""', '"99999999999999999999"', '"2-Green"', '"2x"']) {
      const response = await patchTask(app, hrss, 'tj-2021-annex2-44', header, { progress: 90 });
      t.equal(response.status, 412, `If-Match: ${header} is well-formed but names no single version (strong comparison)`);
      t.match(response.body, { currentVersion: 2, detail: /names no version of it/ });
    }
    for (const header of ['2', 'garbage', '*', '"2" "3"']) {
      const response = await patchTask(app, hrss, 'tj-2021-annex2-44', header, { progress: 90 });
      t.equal(response.status, 400, `If-Match: ${header} is refused as malformed (or, for *, as a blind overwrite)`);
      t.match(response.body, { code: 'validation_failed', errors: [{ location: 'headers', path: 'if-match' }] });
    }
  });

  t.test('If-Match compares the version its ETag begins with, whatever the clock made of the task since', async (t) => {
    const read = await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-44', headers: { authorization: hrss } });
    t.equal(read.headers.etag, '"2-green"');
    for (const header of ['"2-green"', '"2-red-stale"']) {
      const response = await patchTask(app, hrss, 'tj-2021-annex2-44', header, { progress: 100 });
      t.equal(response.status, 200, `If-Match: ${header}`);
      t.match(response.body, { version: 2 }, 'nothing to change, so no new version');
    }
  });

  t.test('the supervisor rejects the completion only with a note', async (t) => {
    const bare = await patchTask(app, supervisor, 'tj-2021-annex2-44', '"2"', { status: 'in_progress' });
    t.equal(bare.status, 400);
    t.match(bare.body, { errors: [{ path: 'note' }] });
    const rejected = await patchTask(app, supervisor, 'tj-2021-annex2-44', '"2"', { status: 'in_progress', note: '缺少印发文件' });
    t.equal(rejected.status, 200);
    t.match(rejected.body, { status: 'in_progress', version: 3 });
  });

  t.test('the lead completes again and the supervisor verifies (已销号)', async (t) => {
    t.equal((await patchTask(app, hrss, 'tj-2021-annex2-44', '"3"', { status: 'completed' })).status, 200);
    const verified = await patchTask(app, supervisor, 'tj-2021-annex2-44', '"4"', { status: 'verified' });
    t.equal(verified.status, 200);
    t.match(verified.body, { status: 'verified', health: 'none', version: 5 });
  });

  t.test('a verified task is read-only to agencies', async (t) => {
    const patch = await patchTask(app, hrss, 'tj-2021-annex2-44', '"5"', { status: 'in_progress' });
    t.equal(patch.status, 409);
    t.match(patch.body, { code: 'task_locked' });
    t.equal((await postReport(app, hrss, 'tj-2021-annex2-44', { note: 'more' })).status, 409);
  });

  t.test('illegal transitions name the allowed ones', async (t) => {
    const lead = await patchTask(app, education, 'tj-2021-annex2-08', '"2"', { status: 'verified' });
    t.equal(lead.status, 409);
    t.match(lead.body, { code: 'invalid_transition', currentStatus: 'not_started', allowedStatuses: ['in_progress', 'delayed', 'completed'] });
    const sup = await patchTask(app, supervisor, 'tj-2021-annex2-08', '"2"', { status: 'completed' });
    t.equal(sup.status, 409);
    t.match(sup.body, { allowedStatuses: [] });
  });

  t.test('the supervisor reopens with a note and sets a due date; agencies cannot set one', async (t) => {
    t.equal((await patchTask(app, supervisor, 'tj-2021-annex2-44', '"5"', { status: 'in_progress', note: '审计发现问题' })).status, 200);
    t.match((await patchTask(app, supervisor, 'tj-2021-annex2-44', '"6"', { dueDate: '2026-02-01' })).body, { dueDate: '2026-02-01', overdue: true, health: 'red' });
    const agencyDue = await patchTask(app, hrss, 'tj-2021-annex2-44', '"7"', { dueDate: '2027-01-01' });
    t.equal(agencyDue.status, 403);
    t.match(agencyDue.body, { detail: /supervising office/ });
  });

  t.test('a district member acts for 各区人民政府, which leads task 52', async (t) => {
    const heping = await key('agency', 'tj-district-heping');
    t.equal((await patchTask(app, heping, 'tj-2021-annex2-52', '"1"', { status: 'in_progress' })).status, 200);
    t.equal((await postReport(app, heping, 'tj-2021-annex2-02', { note: '和平区已落实' })).status, 201, 'and reports on the tasks 各区人民政府 co-operates on');
    t.equal((await patchTask(app, heping, 'tj-2021-annex2-02', '"2"', { status: 'in_progress' })).status, 403, 'but leads none of those');
  });

  t.test('the history tells it all, in order, hash-chained', async (t) => {
    const { body } = await getJson(app, '/v1/tasks/tj-2021-annex2-44/events', auditor);
    t.same(
      body.items.map((e: any) => e.type),
      ['created', 'status_changed', 'completion_rejected', 'status_changed', 'verified', 'reopened', 'due_date_set'],
    );
    body.items.forEach((event: any, index: number) => {
      if (index > 0) t.equal(event.prevHash, body.items[index - 1].hash, `event ${event.seq} links to the one before`);
    });
    t.match(body.items[2], { note: '缺少印发文件', actor: { role: 'supervisor', agencyId: null } });
  });

  t.test('agencies read the history of their own tasks only', async (t) => {
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-44/events', hrss)).status, 200);
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-01/events', hrss)).status, 200, 'co on task 1');
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-18/events', hrss)).status, 403, 'task 18 is 市教委 alone');
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-99/events', hrss)).status, 404);
  });
});

t.test('progress: the task’s is the lead’s; a co unit’s report sets its own share', async (t) => {
  const { app, key } = await setupApp(t);
  const education = await key('agency', 'tj-education-commission'); // leads task 8
  const hrss = await key('agency', 'tj-hrss-bureau'); // co on task 8
  const heping = await key('agency', 'tj-district-heping'); // acts for 各区人民政府, co on task 8
  const shares = (task: any) => Object.fromEntries(task.assignments.map((a: any) => [a.agencyId, a.progress]));

  const co = await postReport(app, hrss, 'tj-2021-annex2-08', { note: '配合', progress: 30 });
  t.equal(co.status, 201);
  t.match(co.body.task, { progress: 0 });
  t.notOk('progress' in co.body.event.changes, 'no change to the task’s progress is recorded');

  const lead = await postReport(app, education, 'tj-2021-annex2-08', { note: '牵头', progress: 20 });
  t.equal(lead.status, 201);
  t.match(lead.body.task, { progress: 20 }, 'the lead’s report still sets the task’s progress');
  t.same(lead.body.event.changes, { progress: { from: 0, to: 20 } });

  const district = await postReport(app, heping, 'tj-2021-annex2-08', { note: '和平区', progress: 50 });
  t.equal(district.status, 201);
  t.same(
    shares(district.body.task),
    { 'tj-education-commission': null, 'tj-hrss-bureau': 30, 'tj-tax-service': null, 'tj-finance-bureau': null, 'tj-district-governments': 50 },
    'a district’s report is the share of 各区人民政府, the assignment it acts under',
  );
  t.match(district.body.task, { progress: 20 });

  const withoutProgress = await postReport(app, hrss, 'tj-2021-annex2-08', { note: '本月无新进展' });
  t.same(withoutProgress.body.event.changes, {}, 'a report without progress changes no share');
  t.match(shares(withoutProgress.body.task), { 'tj-hrss-bureau': 30 });

  const refused = await patchTask(app, hrss, 'tj-2021-annex2-08', `"${withoutProgress.body.task.version}"`, { progress: 60 });
  t.equal(refused.status, 403, 'nor may a co unit PATCH the task’s progress');
  t.match((await getJson(app, '/v1/audit/verify')).body, { ok: true, problems: [] }, 'the shares are in the ledger’s state');
});

t.test('progress reports: validation and idempotency', async (t) => {
  const { app, key } = await setupApp(t);
  const hrss = await key('agency', 'tj-hrss-bureau');

  t.test('bad reports are 400 with the field named', async (t) => {
    const cases: [unknown, string][] = [
      [{}, 'note'],
      [{ note: '' }, 'note'],
      [{ note: 'x'.repeat(4001) }, 'note'],
      [{ note: 'ok', progress: 101 }, 'progress'],
      [{ note: 'ok', progress: 5.5 }, 'progress'],
      [{ note: 'ok', evidence: ['javascript:alert(1)'] }, 'evidence.0'],
      [{ note: 'ok', evidence: ['ftp://example.com/x'] }, 'evidence.0'],
      [{ note: 'ok', evidence: Array.from({ length: 21 }, (_, i) => `https://example.com/${i}`) }, 'evidence'],
      [{ note: 'ok', status: 'completed' }, ''],
    ];
    for (const [payload, path] of cases) {
      const { status, body } = await postReport(app, hrss, 'tj-2021-annex2-08', payload);
      t.equal(status, 400, JSON.stringify(payload).slice(0, 60));
      t.ok(body.errors?.some((e: any) => e.path === path), `names ${path || 'the unknown key'}`);
    }
  });

  t.test('a replayed key returns the original answer; another body under it is 422', async (t) => {
    const first = await postReport(app, hrss, 'tj-2021-annex2-08', { note: '月报', progress: 10 }, 'report-2026-03-tj8');
    t.equal(first.status, 201);
    const replay = await postReport(app, hrss, 'tj-2021-annex2-08', { note: '月报', progress: 10 }, 'report-2026-03-tj8');
    t.equal(replay.status, 201);
    t.same(replay.body, first.body);
    t.equal(replay.headers['idempotent-replayed'], 'true');
    const conflict = await postReport(app, hrss, 'tj-2021-annex2-08', { note: '另一份', progress: 10 }, 'report-2026-03-tj8');
    t.equal(conflict.status, 422);
    t.match(conflict.body, { code: 'idempotency_conflict' });
    const events = await getJson(app, '/v1/tasks/tj-2021-annex2-08/events', hrss);
    t.equal(events.body.items.length, 2, 'one report event, not three');
  });

  t.test('concurrent duplicates under one key make one event', async (t) => {
    const results = await Promise.all(Array.from({ length: 10 }, () => postReport(app, hrss, 'tj-2021-annex2-09', { note: '并发', progress: 20 }, 'dup-key-1')));
    t.same(new Set(results.map((r) => r.status)), new Set([201]));
    t.equal(new Set(results.map((r) => JSON.stringify(r.body))).size, 1, 'all got the same answer');
    const events = await getJson(app, '/v1/tasks/tj-2021-annex2-09/events', hrss);
    t.equal(events.body.items.length, 2);
  });

  t.test('the same Idempotency-Key from another key is another request', async (t) => {
    const other = await key('agency', 'tj-hrss-bureau');
    t.equal((await postReport(app, other, 'tj-2021-annex2-08', { note: '另一把钥匙' }, 'report-2026-03-tj8')).status, 201);
  });

  t.test('a failed write does not burn the key', async (t) => {
    const stranger = await key('agency', 'tj-justice-bureau');
    t.equal((await postReport(app, stranger, 'tj-2021-annex2-08', { note: 'x' }, 'k-1')).status, 403);
    t.equal((await postReport(app, stranger, 'tj-2021-annex2-01', { note: 'x' }, 'k-1')).status, 201, 'the key is free for the next request');
  });

});
