import { count, eq } from 'drizzle-orm';
import t from 'tap';
import { taskEvents } from '../../src/db/schema/index.js';
import { appInstances, setupApp } from '../helpers/app.js';
import { patchTask } from '../helpers/requests.js';

t.test('50 concurrent PATCHes with one If-Match: exactly one wins, nothing is lost', async (t) => {
  const context = await setupApp(t);
  const { key, database } = context;
  const lead = await key('agency', 'tj-education-commission');

  const apps = await appInstances(t, context);

  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => patchTask(apps[i % apps.length]!, lead, 'tj-2021-annex2-42', '"1"', { progress: i + 1 })),
  );
  const statuses = results.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 200).length, 1, `one 200 across ${apps.length} app instance(s)`);
  t.equal(statuses.filter((s) => s === 412).length, 49, 'the rest 412');
  const winner = results.find((r) => r.status === 200)!;
  t.equal(winner.body.version, 2);

  const events = await database.handle.db.select({ n: count() }).from(taskEvents).where(eq(taskEvents.taskId, 'tj-2021-annex2-42'));
  t.equal(events[0]!.n, 2, 'created + the one change');
});

t.test('concurrent writers each with the version they read: the final version counts every success', async (t) => {
  const { app, key, database } = await setupApp(t);
  const lead = await key('agency', 'tj-education-commission');
  let successes = 0;
  // Each writer retries on 412 with the version the problem reports, as a client should.
  await Promise.all(
    Array.from({ length: 8 }, async (_, writer) => {
      let version = 1;
      for (let attempt = 0; attempt < 50; attempt++) {
        const result = await patchTask(app, lead, 'tj-2021-annex2-42', `"${version}"`, { progress: writer * 10 + 1 });
        if (result.status === 200) {
          successes += 1;
          return;
        }
        version = result.body.currentVersion;
      }
    }),
  );
  t.equal(successes, 8, 'every writer got through');
  const { version } = (await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-42', headers: { authorization: lead } })).json();
  t.equal(version, 1 + successes);
  const events = await database.handle.db.select({ n: count() }).from(taskEvents).where(eq(taskEvents.taskId, 'tj-2021-annex2-42'));
  t.equal(events[0]!.n, version, 'one event per version');
});
