import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { patchTask, postReport } from '../helpers/requests.js';

async function withoutAppendOnlyTrigger(db: any, ...statements: ReturnType<typeof sql>[]) {
  // Simulates someone with database access editing history behind the API's back.
  await db.execute(sql`alter table task_events disable trigger task_events_append_only`);
  for (const statement of statements) await db.execute(statement);
  await db.execute(sql`alter table task_events enable trigger task_events_append_only`);
}

t.test('the ledger over HTTP', async (t) => {
  const { app, key, database } = await setupApp(t);
  const db = database.handle.db;
  const auditor = await key('auditor');
  const lead = await key('agency', 'tj-education-commission');
  await postReport(app, lead, 'tj-2021-annex2-18', { note: '一月' });
  await patchTask(app, lead, 'tj-2021-annex2-18', '"2"', { status: 'in_progress' });
  await postReport(app, lead, 'tj-2021-annex2-20', { note: '一月' });

  t.test('audit/events pages through every event in ledger order, resuming from since', async (t) => {
    const first = (await getJson(app, '/v1/audit/events?limit=60', auditor)).body;
    t.same(
      first.items.map((e: any) => e.id),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const rest = (await getJson(app, '/v1/audit/events?since=60', auditor)).body;
    t.same(
      rest.items.map((e: any) => [e.id, e.taskId, e.type]),
      [[61, 'tj-2021-annex2-20', 'progress_reported']],
    );
    const viaCursor = (await getJson(app, `/v1/audit/events?cursor=${first.nextCursor}`, auditor)).body;
    t.same(viaCursor.items, rest.items);
    t.equal((await getJson(app, '/v1/audit/events?since=1&cursor=abc', auditor)).status, 400);
    t.equal((await getJson(app, '/v1/audit/events', lead)).status, 403, 'agencies do not read the whole ledger');
  });

  t.test('root, then verify: intact', async (t) => {
    const root = (await getJson(app, '/v1/audit/root', auditor)).body;
    t.match(root, { root: /^[0-9a-f]{64}$/, position: 61, tasks: 58 });
    const verified = (await getJson(app, `/v1/audit/verify?root=${root.root}&position=${root.position}`, auditor)).body;
    t.match(verified, { ok: true, position: 61, tasks: 58, problems: [], rootCheck: { matches: true } });
  });

  t.test('a root recorded earlier still verifies after more writes: history only grew', async (t) => {
    const earlier = (await getJson(app, '/v1/audit/root', auditor)).body;
    await postReport(app, lead, 'tj-2021-annex2-18', { note: '二月' });
    const later = (await getJson(app, `/v1/audit/verify?root=${earlier.root}&position=${earlier.position}`, auditor)).body;
    t.match(later, { ok: true, position: 62, rootCheck: { position: 61, matches: true } });
    t.not((await getJson(app, '/v1/audit/root', auditor)).body.root, earlier.root);
  });

  t.test('verify parameters are checked', async (t) => {
    t.equal((await getJson(app, '/v1/audit/verify?root=abc&position=1', auditor)).status, 400);
    t.equal((await getJson(app, `/v1/audit/verify?root=${'a'.repeat(64)}`, auditor)).status, 400, 'root without position');
  });

  t.test('tampering is detected and located', async (t) => {
    const recorded = (await getJson(app, '/v1/audit/root', auditor)).body;

    await withoutAppendOnlyTrigger(db, sql`update task_events set note = '改写' where task_id = 'tj-2021-annex2-18' and seq = 2`);
    let report = (await getJson(app, `/v1/audit/verify?root=${recorded.root}&position=${recorded.position}`, auditor)).body;
    t.equal(report.ok, false);
    t.match(report.problems, [{ kind: 'hash_mismatch', taskId: 'tj-2021-annex2-18', seq: 2, eventId: 59 }]);
    t.equal(report.problems.length, 1);

    await withoutAppendOnlyTrigger(db, sql`update task_events set note = '一月' where task_id = 'tj-2021-annex2-18' and seq = 2`);
    t.match((await getJson(app, '/v1/audit/verify', auditor)).body, { ok: true }, 'restored, intact again');

    await withoutAppendOnlyTrigger(db, sql`delete from task_events where id = 61`);
    report = (await getJson(app, `/v1/audit/verify?root=${recorded.root}&position=${recorded.position}`, auditor)).body;
    t.equal(report.ok, false);
    t.match(report.problems, [
      { kind: 'version_mismatch', taskId: 'tj-2021-annex2-20' },
      { kind: 'position_mismatch', taskId: 'tj-2021-annex2-20', eventId: 26, detail: /names position 61 as its latest event/ },
      { kind: 'state_mismatch', taskId: 'tj-2021-annex2-20', eventId: 26, detail: /differ from the state its last event recorded/ },
      { kind: 'missing_events', taskId: null, detail: /62 positions but holds 61 events/ },
    ]);
    t.equal(report.rootCheck.matches, false, 'the recorded root no longer matches');

    await withoutAppendOnlyTrigger(
      db,
      sql`insert into task_events (id, task_id, seq, type, at, actor_role, changes, note, evidence, state, prev_hash, hash, hash_version)
          values (61, 'tj-2021-annex2-20', 2, 'progress_reported', now(), 'agency', '{}', '伪造', '[]',
                  '{"status":"completed","progress":100,"dueDate":null,"lastReportAt":null}', ${'0'.repeat(64)}, ${'f'.repeat(64)}, 2)`,
    );
    report = (await getJson(app, '/v1/audit/verify', auditor)).body;
    t.equal(report.ok, false);
    t.match(report.problems, [
      { kind: 'broken_link', taskId: 'tj-2021-annex2-20', seq: 2, eventId: 61 },
      { kind: 'hash_mismatch', taskId: 'tj-2021-annex2-20', seq: 2, eventId: 61 },
      { kind: 'state_mismatch', taskId: 'tj-2021-annex2-20', eventId: 61 },
    ]);
  });

  t.test('a task row changed behind the ledger is caught too', async (t) => {
    await db.execute(sql`update tasks set status = 'verified' where id = 'tj-2021-annex2-33'`);
    const report = (await getJson(app, '/v1/audit/verify', auditor)).body;
    t.ok(report.problems.some((p: any) => p.kind === 'state_mismatch' && p.taskId === 'tj-2021-annex2-33' && p.eventId === 33 + 6));
  });
});

t.test('hash version 2 covers positions and assignments', async (t) => {
  const { app, key, database } = await setupApp(t);
  const db = database.handle.db;
  const auditor = await key('auditor');
  await postReport(app, await key('agency', 'tj-education-commission'), 'tj-2021-annex2-18', { note: '一月' }); // position 59
  await postReport(app, await key('agency', 'tj-hrss-bureau'), 'tj-2021-annex2-08', { note: '配合', progress: 30 }); // position 60
  const recorded = (await getJson(app, '/v1/audit/root', auditor)).body;
  const verify = async () => ({
    now: (await getJson(app, '/v1/audit/verify', auditor)).body,
    againstRoot: (await getJson(app, `/v1/audit/verify?root=${recorded.root}&position=${recorded.position}`, auditor)).body,
  });
  t.match(await verify(), { now: { ok: true }, againstRoot: { ok: true, rootCheck: { matches: true } } });
  const swapPositions = () =>
    withoutAppendOnlyTrigger(db, sql`update task_events set id = -id where id in (59, 60)`, sql`update task_events set id = case id when -59 then 60 else 59 end where id in (-59, -60)`);

  t.test('every event names its hash version, and the created events carry the assignments', async (t) => {
    const events = (await getJson(app, '/v1/audit/events?limit=100', auditor)).body.items;
    t.ok(events.every((e: any) => e.hashVersion === 2));
    const task = (await getJson(app, '/v1/tasks/tj-2021-annex2-08')).body;
    const created = events.find((e: any) => e.taskId === 'tj-2021-annex2-08' && e.seq === 1);
    t.same(
      created.state.assignments,
      task.assignments.map(({ agencyName: _name, acknowledgedAt: _signed, ...a }: any) => ({ ...a, progress: null })),
    );
    t.same(created.changes.assignments, { from: null, to: created.state.assignments });
  });

  t.test('swapping the positions of two events is detected, with or without a recorded root', async (t) => {
    await swapPositions();
    const { now, againstRoot } = await verify();
    // Version 2 hashes cover the position; the task rows' record of their last event shows it too.
    const expected = [
      { kind: 'hash_mismatch', taskId: 'tj-2021-annex2-08', seq: 2, eventId: 59 },
      { kind: 'position_mismatch', taskId: 'tj-2021-annex2-08', eventId: 59, detail: /names position 60/ },
      { kind: 'hash_mismatch', taskId: 'tj-2021-annex2-18', seq: 2, eventId: 60 },
      { kind: 'position_mismatch', taskId: 'tj-2021-annex2-18', eventId: 60, detail: /names position 59/ },
    ];
    t.match(now, { ok: false, problems: expected });
    t.equal(now.problems.length, 4);
    t.match(againstRoot, { ok: false, problems: expected });
    await swapPositions();
    t.match(await verify(), { now: { ok: true }, againstRoot: { ok: true } }, 'swapped back, intact again');
  });

  t.test('changing who leads a task, or a co unit’s share, is detected, with or without a recorded root', async (t) => {
    const swapCoUnits = [
      sql`update task_assignments set position = -position where task_id = 'tj-2021-annex2-08' and position in (2, 3)`,
      sql`update task_assignments set position = case position when -2 then 3 else 2 end where task_id = 'tj-2021-annex2-08' and position in (-2, -3)`,
    ];
    for (const [what, tamper, restore] of [
      [
        'the lead',
        [sql`update task_assignments set agency_id = 'tj-justice-bureau' where task_id = 'tj-2021-annex2-08' and role = 'lead'`],
        [sql`update task_assignments set agency_id = 'tj-education-commission' where task_id = 'tj-2021-annex2-08' and role = 'lead'`],
      ],
      ['the order', swapCoUnits, swapCoUnits],
      [
        'a share',
        [sql`update task_assignments set share_progress = 100 where task_id = 'tj-2021-annex2-08' and agency_id = 'tj-hrss-bureau'`],
        [sql`update task_assignments set share_progress = 30 where task_id = 'tj-2021-annex2-08' and agency_id = 'tj-hrss-bureau'`],
      ],
    ] as const) {
      for (const statement of tamper) await db.execute(statement);
      const { now, againstRoot } = await verify();
      const expected = [{ kind: 'state_mismatch', taskId: 'tj-2021-annex2-08', eventId: 60, detail: /assignments/ }];
      t.match(now, { ok: false, problems: expected }, what);
      t.equal(now.problems.length, 1);
      t.match(againstRoot, { ok: false, problems: expected }, `${what}, against the recorded root`);
      for (const statement of restore) await db.execute(statement);
      t.match((await verify()).now, { ok: true }, `${what} restored`);
    }
  });
});

t.test('a chain hashed with version 1, as events stored before version 2 were, still verifies and continues with version 2', async (t) => {
  const { app, key, database } = await setupApp(t);
  const db = database.handle.db;
  const auditor = await key('auditor');
  // Rewrite task 5's created event exactly as the code before version 2 wrote and hashed it.
  const [created] = (await getJson(app, '/v1/tasks/tj-2021-annex2-05/events', auditor)).body.items;
  const { id: _id, hashVersion: _version, hash: _hash, ...event } = created;
  const { assignments: _assignments, ...state } = event.state;
  const { assignments: _assigned, ...changes } = event.changes;
  const v1Hash = createHash('sha256')
    .update(event.prevHash)
    .update(canonicalize({ ...event, changes, state })!)
    .digest('hex');
  await withoutAppendOnlyTrigger(
    db,
    sql`update task_events set hash_version = 1, state = state - 'assignments', changes = changes - 'assignments', hash = ${v1Hash} where id = ${created.id}`,
  );
  t.match((await getJson(app, '/v1/audit/verify', auditor)).body, { ok: true, problems: [] });
  const recorded = (await getJson(app, '/v1/audit/root', auditor)).body;

  const lead = (await getJson(app, '/v1/tasks/tj-2021-annex2-05')).body.assignments[0].agencyId;
  const report = await postReport(app, await key('agency', lead), 'tj-2021-annex2-05', { note: '新进展', progress: 10 });
  t.equal(report.status, 201);
  t.match(report.body.event, { seq: 2, hashVersion: 2, prevHash: v1Hash, state: { progress: 10, assignments: [{ agencyId: lead, role: 'lead' }] } });
  const events = (await getJson(app, '/v1/tasks/tj-2021-annex2-05/events', auditor)).body.items;
  t.same(
    events.map((e: any) => [e.hashVersion, e.hash]),
    [
      [1, v1Hash],
      [2, report.body.event.hash],
    ],
  );
  // README's recipe, applied to the Event resources as an auditor receives them.
  for (const { hash, ...content } of events) {
    if (content.hashVersion === 1) {
      delete content.id;
      delete content.hashVersion;
    }
    t.equal(createHash('sha256').update(content.prevHash).update(canonicalize(content)!).digest('hex'), hash, `README's recipe, version ${content.hashVersion ?? 1}`);
  }
  t.match((await getJson(app, `/v1/audit/verify?root=${recorded.root}&position=${recorded.position}`, auditor)).body, { ok: true, problems: [], rootCheck: { matches: true } });
});

t.test('a write that fails halfway leaves neither the change nor an event', async (t) => {
  const { app, key, database } = await setupApp(t);
  const db = database.handle.db;
  const lead = await key('agency', 'tj-education-commission');
  // Fault injection: the ledger insert fails after the task row has been updated in the same transaction.
  await db.execute(sql`create function fail_event() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`);
  await db.execute(sql`create trigger inject_fault before insert on task_events for each row when (new.task_id = 'tj-2021-annex2-18') execute function fail_event()`);

  const patch = await patchTask(app, lead, 'tj-2021-annex2-18', '"1"', { status: 'in_progress', progress: 50 });
  t.equal(patch.status, 500);
  t.notMatch(JSON.stringify(patch.body), /injected|task_events/, 'the fault stays in the log');
  const report = await postReport(app, lead, 'tj-2021-annex2-18', { note: 'x', progress: 60 }, 'fault-key');
  t.equal(report.status, 500);

  const task = (await getJson(app, '/v1/tasks/tj-2021-annex2-18')).body;
  t.match(task, { status: 'not_started', progress: 0, version: 1, lastReportAt: null }, 'the task row is untouched');
  const events = (await getJson(app, '/v1/tasks/tj-2021-annex2-18/events')).body;
  t.equal(events.items.length, 1, 'only the created event');
  t.match((await getJson(app, '/v1/audit/root')).body, { position: 58 }, 'no ledger position was consumed');

  await db.execute(sql`drop trigger inject_fault on task_events`);
  t.equal((await postReport(app, lead, 'tj-2021-annex2-18', { note: 'x', progress: 60 }, 'fault-key')).status, 201, 'the idempotency key was not consumed either');
});
