import canonicalize from 'canonicalize';
import { and, asc, between, desc, eq, notInArray, sql } from 'drizzle-orm';
import { type Actor, type AssignmentState, GENESIS_HASH, HASH_VERSION, hashEntry, type LedgerEntry, type TaskState } from '../domain/ledger.js';
import { rollUp } from '../domain/rollup.js';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database, Transaction } from './client.js';
import { enqueueDeliveries } from './outbox.js';
import { assignmentReceipts, ledgerState, taskAssignments, type TaskEventRow, taskEvents, taskIndicators, type TaskRow, tasks } from './schema/index.js';

export type NewEvent = Omit<LedgerEntry, 'id' | 'hashVersion' | 'seq' | 'prevHash'>;

/**
 * Reserves `count` ledger positions. The UPDATE takes the single ledger_state row lock and keeps
 * it until the transaction ends, so appends commit one after another and positions never skip.
 */
async function reservePositions(tx: Transaction, count: number): Promise<number> {
  const [row] = await tx
    .update(ledgerState)
    .set({ position: sql`${ledgerState.position} + ${count}` })
    .where(eq(ledgerState.id, 1))
    .returning({ last: ledgerState.position });
  if (!row) throw new Error('ledger_state has no row: the migrations did not run');
  return row.last - count + 1;
}

/** The columns of task_assignments that the ledger records, in the shape it records them. */
export const assignmentColumns = {
  agencyId: taskAssignments.agencyId,
  role: taskAssignments.role,
  position: taskAssignments.position,
  progress: taskAssignments.shareProgress,
};

/** The task_assignments row of one assignment the ledger records. */
export function assignmentRow(taskId: string, assignment: AssignmentState) {
  return { taskId, agencyId: assignment.agencyId, role: assignment.role, position: assignment.position, shareProgress: assignment.progress };
}

export async function assignmentsOf(db: Database | Transaction, taskId: string): Promise<AssignmentState[]> {
  return db.select(assignmentColumns).from(taskAssignments).where(eq(taskAssignments.taskId, taskId)).orderBy(asc(taskAssignments.position));
}

export type IndicatorValues = Record<string, number | null>;

/** Each indicator's latest value by key, as the ledger's state records it; undefined for a task without indicators. */
export function indicatorValues(rows: readonly { key: string; latestValue: number | null }[]): IndicatorValues | undefined {
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.map((row) => [row.key, row.latestValue]));
}

export async function indicatorValuesOf(db: Database | Transaction, taskId: string): Promise<IndicatorValues | undefined> {
  return indicatorValues(
    await db.select({ key: taskIndicators.key, latestValue: taskIndicators.latestValue }).from(taskIndicators).where(eq(taskIndicators.taskId, taskId)),
  );
}

/**
 * One change to a task, as the ledger records it: given the task's assignments after the change,
 * replaces its assignments when they differ, recording them in `changes`; reserves the next
 * position and writes the task row (the change, version + 1, and the position as last_event_id);
 * then appends the event that carries the resulting state, assignments included, to the task's
 * chain, with its webhook outbox rows. The caller holds the task row lock (SELECT … FOR UPDATE).
 */
export async function recordChange(
  tx: Transaction,
  taskId: string,
  values: PgUpdateSetSource<typeof tasks>,
  event: Omit<NewEvent, 'taskId' | 'state'>,
  assignments?: readonly AssignmentState[],
): Promise<{ task: TaskRow; event: TaskEventRow }> {
  // Whatever needs no ledger position is done before one is reserved: from the reservation until
  // this transaction commits, every other writer waits on the ledger_state row lock.
  const [before, indicators, [head]] = await Promise.all([
    assignmentsOf(tx, taskId),
    indicatorValuesOf(tx, taskId),
    tx.select({ seq: taskEvents.seq, hash: taskEvents.hash }).from(taskEvents).where(eq(taskEvents.taskId, taskId)).orderBy(desc(taskEvents.seq)).limit(1),
  ]);
  // In position order, as assignmentsOf and verify read them, so equal lists encode alike.
  const given = assignments && [...assignments].sort((a, b) => a.position - b.position);
  let after = before;
  let changes = event.changes;
  if (given && canonicalize(given) !== canonicalize(before)) {
    await tx.delete(taskAssignments).where(eq(taskAssignments.taskId, taskId));
    if (given.length > 0) await tx.insert(taskAssignments).values(given.map((a) => assignmentRow(taskId, a)));
    // A unit assigned again later is newly assigned, and signs again.
    const kept = given.map((a) => a.agencyId);
    await tx.delete(assignmentReceipts).where(and(eq(assignmentReceipts.taskId, taskId), kept.length ? notInArray(assignmentReceipts.agencyId, kept) : undefined));
    after = given;
    changes = { ...changes, assignments: { from: before, to: after } };
  }
  const reserved = tx.$with('reserved', { position: ledgerState.position }).as(sql`update ${ledgerState} set position = position + 1 where id = 1 returning position`);
  const [task] = await tx
    .with(reserved)
    .update(tasks)
    .set({ ...values, version: sql`${tasks.version} + 1`, lastEventId: sql`(select position from ${reserved})` })
    .where(eq(tasks.id, taskId))
    .returning();
  const position = task!.lastEventId;
  const entry: LedgerEntry = {
    ...event,
    id: position,
    hashVersion: HASH_VERSION,
    taskId,
    changes,
    state: stateOf(task!, after, indicators),
    seq: (head?.seq ?? 0) + 1,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const [row] = await tx.insert(taskEvents).values(toRow(entry)).returning();
  await enqueueDeliveries(tx, position, position);
  if (task!.parentId !== null && (changes.status || changes.progress)) await rollUpInto(tx, task!.parentId, event.actor, event.at);
  return { task: task!, event: row! };
}

/**
 * Brings a parent's derived status and progress in line with its children (domain/rollup.ts),
 * recording a rolled_up event by the actor whose change caused it when they move; recordChange
 * carries it on up the tree. The caller holds the locks of the task and its ancestors.
 */
export async function rollUpInto(tx: Transaction, parentId: string, actor: Actor, at: string): Promise<void> {
  const [[parent], children] = await Promise.all([
    tx.select({ status: tasks.status, progress: tasks.progress }).from(tasks).where(eq(tasks.id, parentId)),
    tx.select({ status: tasks.status, progress: tasks.progress, weight: tasks.weight }).from(tasks).where(eq(tasks.parentId, parentId)),
  ]);
  if (!parent || children.length === 0) return;
  const derived = rollUp(children);
  const changes: LedgerEntry['changes'] = {};
  if (derived.status !== parent.status) changes.status = { from: parent.status, to: derived.status };
  if (derived.progress !== parent.progress) changes.progress = { from: parent.progress, to: derived.progress };
  if (Object.keys(changes).length === 0) return;
  await recordChange(tx, parentId, { status: derived.status, progress: derived.progress, updatedAt: new Date(at) }, { type: 'rolled_up', at, actor, changes, note: null, evidence: [] });
}

/** Appends the first event of each of many new tasks, in one statement. */
export async function appendFirstEvents(tx: Transaction, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const first = await reservePositions(tx, events.length);
  const rows = events.map((event, index) => toRow({ ...event, id: first + index, hashVersion: HASH_VERSION, seq: 1, prevHash: GENESIS_HASH }));
  // In chunks: one INSERT of thousands of events would pass PostgreSQL's 65,535 bind parameters.
  for (let start = 0; start < rows.length; start += 1000) await tx.insert(taskEvents).values(rows.slice(start, start + 1000));
  await tx
    .update(tasks)
    .set({ lastEventId: taskEvents.id })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, tasks.id), between(taskEvents.id, first, first + events.length - 1)));
  await enqueueDeliveries(tx, first, first + events.length - 1);
}

function toRow(entry: LedgerEntry) {
  return {
    id: entry.id,
    taskId: entry.taskId,
    seq: entry.seq,
    type: entry.type,
    at: new Date(entry.at),
    actorKeyId: entry.actor.keyId,
    actorAgencyId: entry.actor.agencyId,
    actorRole: entry.actor.role,
    changes: entry.changes,
    note: entry.note,
    evidence: entry.evidence,
    state: entry.state,
    prevHash: entry.prevHash,
    hash: hashEntry(entry),
    hashVersion: entry.hashVersion,
  };
}

/** The tracked fields as the ledger records them after a change: the task row, its assignments in order, its indicators' values. */
export function stateOf(task: TaskRow, assignments: readonly AssignmentState[], indicators?: IndicatorValues): TaskState {
  return {
    status: task.status,
    progress: task.progress,
    dueDate: task.dueDate,
    ...(task.originalDueDate !== null ? { originalDueDate: task.originalDueDate } : {}),
    lastReportAt: task.lastReportAt?.toISOString() ?? null,
    assignments: [...assignments],
    ...(indicators ? { indicators } : {}),
  };
}

/** The entry an event row was hashed from, for re-checking a chain. */
export function entryOf(row: TaskEventRow): LedgerEntry {
  return {
    id: row.id,
    hashVersion: row.hashVersion,
    taskId: row.taskId,
    seq: row.seq,
    type: row.type,
    at: row.at.toISOString(),
    actor: { keyId: row.actorKeyId, agencyId: row.actorAgencyId, role: row.actorRole as LedgerEntry['actor']['role'] },
    changes: row.changes as LedgerEntry['changes'],
    note: row.note,
    evidence: row.evidence,
    state: row.state,
    prevHash: row.prevHash,
  };
}
