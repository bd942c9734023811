/**
 * Loads a synthetic data set into a fresh PostgreSQL database for the report benchmarks:
 *   npx tsx bench/generate.ts [--lists 1000] [--tasks-per-list 50] [--events-per-task 20]
 * Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/duban_bench), dropping and
 * recreating that database. Every chain is hashed exactly as the API hashes it, so /v1/audit/verify
 * passes on the result.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { assignmentRow } from '../src/db/ledger.js';
import { prepareDatabase } from '../src/db/prepare.js';
import { agencies, documents, ledgerState, taskAssignments, taskEvents, taskLists, tasks } from '../src/db/schema/index.js';
import { GENESIS_HASH, HASH_VERSION, hashEntry, type LedgerEntry, type TaskState } from '../src/domain/ledger.js';

const { values } = parseArgs({
  options: { lists: { type: 'string', default: '1000' }, 'tasks-per-list': { type: 'string', default: '50' }, 'events-per-task': { type: 'string', default: '20' } },
});
const LISTS = Number(values.lists);
const PER_LIST = Number(values['tasks-per-list']);
const PER_TASK = Number(values['events-per-task']);

export const benchUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/duban_bench';

// A fixed-seed generator, so two runs build the same data.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

async function recreateDatabase() {
  const url = new URL(benchUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
}

const started = Date.now();
await recreateDatabase();
const database = await openDatabase({ engine: 'postgres', url: benchUrl, poolMax: 4 });
const db = database.db;
await prepareDatabase(database, new Date('2025-01-01T00:00:00Z'));
const agencyIds = (await db.select({ id: agencies.id }).from(agencies)).map((a) => a.id);

await db.insert(documents).values({ id: 'bench', title: 'Synthetic benchmark document', issuers: ['bench'], issuedOn: null, docNumber: null });
for (let l = 0; l < LISTS; l += 500) {
  await db.insert(taskLists).values(
    Array.from({ length: Math.min(500, LISTS - l) }, (_, i) => ({ id: `bench-l${String(l + i + 1).padStart(4, '0')}`, documentId: 'bench', position: l + i + 1, title: `List ${l + i + 1}`, annex: null })),
  );
}

const statuses: TaskState['status'][] = ['not_started', 'in_progress', 'delayed', 'completed', 'verified'];
const start = Date.parse('2025-01-02T00:00:00Z');
const span = Date.parse('2026-10-31T00:00:00Z') - start;
let position = (await db.select({ position: ledgerState.position }).from(ledgerState))[0]!.position;
let eventCount = 0;

for (let l = 0; l < LISTS; l++) {
  const listId = `bench-l${String(l + 1).padStart(4, '0')}`;
  const taskRows: (typeof tasks.$inferInsert)[] = [];
  const assignmentRows: (typeof taskAssignments.$inferInsert)[] = [];
  const eventRows: (typeof taskEvents.$inferInsert)[] = [];
  for (let n = 1; n <= PER_LIST; n++) {
    const id = `${listId}-${String(n).padStart(2, '0')}`;
    const moments = Array.from({ length: PER_TASK }, () => start + Math.floor(random() * span)).sort((a, b) => a - b);
    const units = [...new Set([pick(agencyIds), pick(agencyIds), pick(agencyIds)])];
    const assignments = units.map((agencyId, i) => ({ agencyId, role: i === 0 ? ('lead' as const) : ('co' as const), position: i + 1, progress: null }));
    let state: TaskState = { status: 'not_started', progress: 0, dueDate: null, lastReportAt: null, assignments };
    let prevHash = GENESIS_HASH;
    moments.forEach((moment, index) => {
      const at = new Date(moment).toISOString();
      const before = state;
      let type = 'created';
      if (index > 0) {
        const roll = random();
        if (roll < 0.5) {
          type = 'progress_reported';
          state = { ...state, progress: Math.min(100, state.progress + Math.floor(random() * 15)), lastReportAt: at };
        } else if (roll < 0.6) {
          type = 'due_date_set';
          state = { ...state, dueDate: new Date(moment + (30 + Math.floor(random() * 400)) * 86_400_000).toISOString().slice(0, 10) };
        } else {
          type = 'status_changed';
          state = { ...state, status: pick(statuses) };
        }
      }
      const changes = Object.fromEntries(
        (Object.keys(state) as (keyof TaskState)[]).filter((k) => state[k] !== before[k] && k !== 'lastReportAt').map((k) => [k, { from: index === 0 ? null : before[k], to: state[k] }]),
      );
      position += 1;
      // Reports come from one of the task's agencies, so the agency report has last reports to find.
      const actor: LedgerEntry['actor'] = type === 'progress_reported' ? { keyId: null, agencyId: pick(units), role: 'agency' } : { keyId: null, agencyId: null, role: 'system' };
      const entry: LedgerEntry = { id: position, hashVersion: HASH_VERSION, taskId: id, seq: index + 1, type, at, actor, changes, note: null, evidence: [], state, prevHash };
      const hash = hashEntry(entry);
      eventRows.push({ id: position, taskId: id, seq: entry.seq, type, at: new Date(at), actorKeyId: null, actorAgencyId: actor.agencyId, actorRole: actor.role, changes, note: null, evidence: [], state, prevHash, hash, hashVersion: HASH_VERSION });
      prevHash = hash;
    });
    taskRows.push({
      id,
      listId,
      number: n,
      position: n,
      text: `Synthetic task ${n} of ${listId}`,
      articleId: null,
      responsibleText: null,
      status: state.status,
      progress: state.progress,
      dueDate: state.dueDate,
      version: PER_TASK,
      lastEventId: position,
      lastReportAt: state.lastReportAt ? new Date(state.lastReportAt) : null,
      createdAt: new Date(moments[0]!),
      updatedAt: new Date(moments.at(-1)!),
    });
    assignmentRows.push(...assignments.map((assignment) => assignmentRow(id, assignment)));
  }
  await db.insert(tasks).values(taskRows);
  await db.insert(taskAssignments).values(assignmentRows);
  for (let i = 0; i < eventRows.length; i += 2000) await db.insert(taskEvents).values(eventRows.slice(i, i + 2000));
  eventCount += eventRows.length;
  if ((l + 1) % 100 === 0) console.log(`${l + 1} lists, ${eventCount} events, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
await db.update(ledgerState).set({ position });
// What autovacuum does soon after a bulk load: statistics, and the visibility map index-only scans rely on.
await db.execute(sql`vacuum analyze`);
console.log(`done: ${LISTS} lists, ${LISTS * PER_LIST} tasks, ${eventCount} events (+58 seeded tasks) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
await database.close();
