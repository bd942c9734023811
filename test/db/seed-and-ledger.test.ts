import { asc, count, desc, eq, sql } from 'drizzle-orm';
import t from 'tap';
import type { Database } from '../../src/db/client.js';
import { assignmentsOf, entryOf } from '../../src/db/ledger.js';
import { importDocument } from '../../src/db/import.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { loadSeedFiles } from '../../src/db/seed.js';
import { exportDocument } from '../../src/modules/documents/export.js';
import { agencies, agencyMembers, articles, documentParts, documents, taskAssignments, taskEvents, taskLinks, taskLists, tasks } from '../../src/db/schema/index.js';
import { GENESIS_HASH, hashEntry, SYSTEM_ACTOR } from '../../src/domain/ledger.js';
import { createTestDatabase, engine } from '../helpers/database.js';

async function tableCounts(db: Database) {
  const tables = { documents, documentParts, articles, taskLists, tasks, taskAssignments, taskLinks, agencies, agencyMembers, taskEvents };
  const entries = await Promise.all(Object.entries(tables).map(async ([name, table]) => [name, (await db.select({ n: count() }).from(table))[0]!.n] as const));
  return Object.fromEntries(entries);
}

/** Every seed file: 004 (58 tasks, 43 units), 000 (31 tasks), 003 (13) and 001 (23), with their 10 further units. */
const expectedCounts = {
  documents: 4,
  documentParts: 14,
  articles: 23,
  taskLists: 8,
  tasks: 124,
  taskAssignments: 0, // filled in below from the data itself
  taskLinks: 12,
  agencies: 53,
  agencyMembers: 16,
  taskEvents: 124,
};

t.test('seeding is idempotent', async (t) => {
  const database = await createTestDatabase({ seeds: 'all' });
  t.teardown(() => database.drop());
  const db = database.handle.db;
  const before = await tableCounts(db);
  t.same({ ...before, taskAssignments: 0 }, expectedCounts);
  t.ok((before.taskAssignments ?? 0) > 150, `${before.taskAssignments} assignments`);

  const again = await prepareDatabase(database.handle, new Date('2030-01-01T00:00:00Z'));
  const third = await prepareDatabase(database.handle, new Date('2031-01-01T00:00:00Z'));
  t.same([again.tasksCreated, third.tasksCreated], [0, 0]);
  t.same(await tableCounts(db), before, 'nothing added, nothing duplicated');
  const [{ latest }] = (await db.select({ latest: sql<string>`max(${tasks.createdAt})::text` }).from(tasks)) as [{ latest: string }];
  t.match(latest, /^2026-01-05/, 'existing rows untouched');
});

t.test('replicas seeding an empty database at once create everything exactly once', async (t) => {
  const database = await createTestDatabase({ seed: false });
  t.teardown(() => database.drop());
  const results = await Promise.all([1, 2, 3].map(() => prepareDatabase(database.handle, new Date('2026-01-05T08:00:00Z'))));
  t.equal(
    results.reduce((sum, r) => sum + r.tasksCreated, 0),
    124,
  );
  const counts = await tableCounts(database.handle.db);
  t.equal(counts.tasks, 124);
  t.equal(counts.taskEvents, 124);
});

t.test('a seed file changed since its import is applied again; a document imported otherwise is left to that import', async (t) => {
  const database = await createTestDatabase({ seeds: 'all' });
  t.teardown(() => database.drop());
  const db = database.handle.db;
  const seeds = await loadSeedFiles();
  const revise = (text: string) =>
    seeds.map((seed) => {
      if (seed.file.document?.id !== 'tj-2021') return seed;
      const [first, ...rest] = seed.file.lists![1]!.tasks;
      return { ...seed, file: { ...seed.file, lists: [seed.file.lists![0]!, { ...seed.file.lists![1]!, tasks: [{ ...first!, text }, ...rest] }] } };
    });
  const textOf = async () => (await db.select({ text: tasks.text, version: tasks.version }).from(tasks).where(eq(tasks.id, 'tj-2021-annex2-01')))[0]!;
  const original = await textOf();

  const readBack = await importDocument(db, await exportDocument(db, 'tj-2021'), { now: new Date('2029-12-01T00:00:00Z'), actor: SYSTEM_ACTOR, source: 'api' });
  t.equal(readBack.unchanged, true, 'an export read back changes nothing, not even who owns the document');

  const corrected = await prepareDatabase(database.handle, new Date('2030-01-01T00:00:00Z'), revise('更正后的文字'));
  t.same(corrected.applied, ['tj-2021.json'], 'only the changed seed is applied');
  t.same(await textOf(), { text: '更正后的文字', version: original.version + 1 });
  const [revision] = await db.select().from(taskEvents).where(eq(taskEvents.taskId, 'tj-2021-annex2-01')).orderBy(desc(taskEvents.seq)).limit(1);
  t.match(revision, { type: 'revised', actorRole: 'system', changes: { text: { from: original.text, to: '更正后的文字' } } });

  await importDocument(db, revise('办公室导入的文字').find((seed) => seed.file.document?.id === 'tj-2021')!.file, { now: new Date('2030-02-01T00:00:00Z'), actor: SYSTEM_ACTOR, source: 'api' });
  const restarted = await prepareDatabase(database.handle, new Date('2030-03-01T00:00:00Z'), seeds);
  t.same(restarted.applied, [], 'the office’s import stands');
  t.equal((await textOf()).text, '办公室导入的文字');
});

t.test('the ledger', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const db = database.handle.db;

  t.test('each task has one created event, hashed with version 2, that records its assignments', async (t) => {
    const events = await db.select().from(taskEvents).orderBy(asc(taskEvents.id));
    t.equal(events.length, 58);
    for (const event of events) {
      t.equal(event.hash, hashEntry(entryOf(event)), event.taskId);
      t.match(event, { seq: 1, type: 'created', hashVersion: 2, prevHash: GENESIS_HASH, actorRole: 'system', state: { status: 'not_started', progress: 0, dueDate: null, lastReportAt: null } });
      t.same(event.state.assignments, await assignmentsOf(db, event.taskId), `${event.taskId}: who leads, who co-operates, in order`);
    }
  });

  for (const [label, statement] of [
    ['UPDATE', sql`update task_events set note = 'rewritten'`],
    ['DELETE', sql`delete from task_events where seq = 1`],
    // CASCADE gets past the foreign keys that point at the ledger (webhook deliveries), so only the trigger stands in the way.
    ['TRUNCATE', sql`truncate task_events cascade`],
  ] as const) {
    t.test(`${label} on task_events is rejected by the database (${engine})`, async (t) => {
      await t.rejects(db.execute(statement), { cause: { message: /task_events is append-only/ } });
      t.equal((await db.select({ n: count() }).from(taskEvents))[0]!.n, 58);
    });
  }
});
