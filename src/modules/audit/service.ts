import { asc, eq, gt, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Transaction } from '../../db/client.js';
import { assignmentColumns, entryOf, type IndicatorValues, stateOf } from '../../db/ledger.js';
import { ledgerState, taskAssignments, taskEvents, taskIndicators, tasks } from '../../db/schema/index.js';
import type { AssignmentState } from '../../domain/ledger.js';
import { type ChainHead, type ChainProblem, checkChain, ledgerRoot, type StoredEvent } from '../../domain/audit.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { toEvent } from '../tasks/events.js';

const positionCursor = z.tuple([cursorParts.position]);

/**
 * All events in ledger order. Positions are gap-free and assigned in commit order, so a consumer
 * that pages with since=<last id it has> never misses or re-reads an event.
 */
export async function listLedger(db: Database, query: { since?: number | undefined; cursor?: string | undefined; limit: number }) {
  const after = query.cursor ? decodeCursor(query.cursor, positionCursor)[0] : (query.since ?? 0);
  const rows = await db
    .select()
    .from(taskEvents)
    .where(gt(taskEvents.id, after))
    .orderBy(asc(taskEvents.id))
    .limit(query.limit + 1);
  const { rows: events, nextCursor } = paginate(rows, query.limit, (row) => [row.id]);
  return { items: events.map(toEvent), nextCursor };
}

async function currentPosition(db: Database): Promise<number> {
  const [state] = await db.select({ position: ledgerState.position }).from(ledgerState).where(eq(ledgerState.id, 1));
  return state?.position ?? 0;
}

async function headsAt(db: Database, position: number): Promise<ChainHead[]> {
  return db
    .selectDistinctOn([taskEvents.taskId], { taskId: taskEvents.taskId, seq: taskEvents.seq, hash: taskEvents.hash })
    .from(taskEvents)
    .where(lte(taskEvents.id, position))
    .orderBy(asc(taskEvents.taskId), sql`${taskEvents.seq} desc`);
}

export async function computeRoot(db: Database, now: Date) {
  // One snapshot for position and heads, so a write landing in between cannot split them.
  return db.transaction(
    async (tx) => {
      const position = await currentPosition(tx);
      const heads = await headsAt(tx, position);
      return { root: ledgerRoot(position, heads), position, tasks: heads.length, computedAt: now.toISOString() };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** Every task's assignments, in order, as the ledger records them. */
async function assignmentsByTask(db: Database): Promise<Map<string, AssignmentState[]>> {
  const rows = await db
    .select({ taskId: taskAssignments.taskId, ...assignmentColumns })
    .from(taskAssignments)
    .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position));
  const byTask = new Map<string, AssignmentState[]>();
  for (const { taskId, ...assignment } of rows) {
    const list = byTask.get(taskId);
    if (list) list.push(assignment);
    else byTask.set(taskId, [assignment]);
  }
  return byTask;
}

async function indicatorValuesByTask(tx: Transaction): Promise<Map<string, IndicatorValues>> {
  const rows = await tx.select({ taskId: taskIndicators.taskId, key: taskIndicators.key, latestValue: taskIndicators.latestValue }).from(taskIndicators);
  const byTask = new Map<string, IndicatorValues>();
  for (const row of rows) byTask.set(row.taskId, { ...byTask.get(row.taskId), [row.key]: row.latestValue });
  return byTask;
}

const BATCH = 5000;

/** Re-checks every chain, batch by batch, and, given a recorded root, that history up to its position is unchanged. */
export async function verifyLedger(db: Database, recorded: { root: string; position: number } | null, now: Date) {
  return db.transaction(
    async (tx) => {
      const position = await currentPosition(tx);
      const taskRows = await tx.select().from(tasks);
      const assignments = await assignmentsByTask(tx);
      const indicators = await indicatorValuesByTask(tx);
      const taskFacts = new Map(
        taskRows.map((task) => [task.id, { version: task.version, lastEventId: task.lastEventId, state: stateOf(task, assignments.get(task.id) ?? [], indicators.get(task.id)) }]),
      );
      const problems: ChainProblem[] = [];
      const seen = new Set<string>();
      let eventCount = 0;
      let chainTask: string | null = null;
      let chainEvents: StoredEvent[] = [];
      const flush = () => {
        if (chainTask === null) return;
        problems.push(...checkChain(chainTask, chainEvents, taskFacts.get(chainTask) ?? null));
        seen.add(chainTask);
      };
      let after: [string, number] = ['', 0];
      for (;;) {
        const rows = await tx
          .select()
          .from(taskEvents)
          .where(sql`(${taskEvents.taskId}, ${taskEvents.seq}) > (${after[0]}, ${after[1]})`)
          .orderBy(asc(taskEvents.taskId), asc(taskEvents.seq))
          .limit(BATCH);
        for (const row of rows) {
          eventCount += 1;
          if (row.taskId !== chainTask) {
            flush();
            chainTask = row.taskId;
            chainEvents = [];
          }
          chainEvents.push({ id: row.id, entry: entryOf(row), hash: row.hash });
        }
        const last = rows.at(-1);
        if (rows.length < BATCH || !last) break;
        after = [last.taskId, last.seq];
      }
      flush();
      for (const [taskId, { version }] of taskFacts) {
        if (!seen.has(taskId)) problems.push({ kind: 'missing_events', taskId, eventId: null, seq: null, detail: `the task is at version ${version} but has no events` });
      }
      if (eventCount !== position) {
        problems.push({ kind: 'missing_events', taskId: null, eventId: null, seq: null, detail: `the ledger has assigned ${position} positions but holds ${eventCount} events` });
      }
      let rootCheck = null;
      if (recorded) {
        const recomputed = ledgerRoot(recorded.position, await headsAt(tx, recorded.position));
        rootCheck = { position: recorded.position, recorded: recorded.root, recomputed, matches: recomputed === recorded.root };
      }
      return {
        ok: problems.length === 0 && (rootCheck?.matches ?? true),
        position,
        tasks: taskFacts.size,
        problems,
        rootCheck,
        verifiedAt: now.toISOString(),
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

