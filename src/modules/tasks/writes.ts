import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.js';
import { assignmentsOf, recordChange } from '../../db/ledger.js';
import { agencyMembers, taskIndicators, type TaskRow, tasks } from '../../db/schema/index.js';
import { DomainError, ForbiddenError, InvalidInputError, NotFoundError } from '../../domain/errors.js';
import type { Actor, AssignmentState } from '../../domain/ledger.js';
import { actingAssignment, type Principal, type Relation } from '../../domain/permissions.js';
import { planProgressReport, planTaskUpdate, type TaskPatch } from '../../domain/workflow.js';
import type { Event } from './events-schemas.js';
import { toEvent } from './events.js';
import type { Task } from './schemas.js';
import { getTask, type ReadContext } from './service.js';

export interface WriteContext extends ReadContext {
  principal: Principal;
}

export interface ProgressReport {
  note: string;
  progress?: number | undefined;
  evidence?: string[] | undefined;
  indicators?: { key: string; value: number }[] | undefined;
}

/**
 * Locks the task row for the rest of the transaction: writers to one task queue up here. Its
 * ancestors are locked with it, in id order as every writer takes them, since a change may roll
 * up into them; two writers in one subtree then queue instead of deadlocking.
 */
export async function lockTask(tx: Transaction, id: string): Promise<TaskRow> {
  const rows = await tx
    .select()
    .from(tasks)
    .where(sql`${tasks.id} = any(array[${id}]::text[] || (select ${tasks.ancestorIds} from ${tasks} where ${tasks.id} = ${id}))`)
    .orderBy(asc(tasks.id))
    .for('update');
  const task = rows.find((row) => row.id === id);
  if (!task) throw new NotFoundError('task', id);
  return task;
}

function assertOwnStatus(task: TaskRow, what: string) {
  if (task.childCount > 0) {
    throw new DomainError('derived_from_children', `This task has ${task.childCount} sub-tasks: its ${what} rolls up from theirs. Change the sub-tasks instead.`);
  }
}

/** The task's assignments and the one the principal's agency acts under (null: not its task). */
async function standingOf(db: Database | Transaction, principal: Principal, taskId: string): Promise<{ assignments: AssignmentState[]; acting: AssignmentState | null }> {
  if (principal.agencyId === null) return { assignments: [], acting: null };
  const [assignments, groups] = await Promise.all([
    assignmentsOf(db, taskId),
    db.select({ id: agencyMembers.groupId }).from(agencyMembers).where(eq(agencyMembers.memberId, principal.agencyId)),
  ]);
  const acting = actingAssignment(
    principal.agencyId,
    assignments,
    groups.map((g) => g.id),
  );
  return { assignments, acting };
}

export async function relationOf(db: Database | Transaction, principal: Principal, taskId: string): Promise<Relation> {
  return (await standingOf(db, principal, taskId)).acting?.role ?? 'none';
}

export function actorOf(principal: Principal): Actor {
  if (principal.role === 'public') throw new ForbiddenError('Writing needs an API key.');
  return { keyId: principal.keyId, agencyId: principal.agencyId, role: principal.role };
}

function assertVersion(task: TaskRow, expectedVersion: number) {
  if (task.version !== expectedVersion) {
    const named = expectedVersion === 0 ? 'If-Match names no version of it' : `not ${expectedVersion}: someone changed it since you read it`;
    throw new DomainError('precondition_failed', `The task is at version ${task.version}, ${named}. GET it again and reapply your change.`, {
      currentVersion: task.version,
    });
  }
}

/**
 * PATCH: one transaction that locks the task, checks the caller, the If-Match version and the
 * workflow, then writes the row (version + 1) and its ledger event together, or nothing.
 */
export async function updateTask(db: Database, id: string, expectedVersion: number, patch: TaskPatch, ctx: WriteContext): Promise<Task> {
  return db.transaction((tx) => applyUpdate(tx, id, expectedVersion, patch, ctx));
}

/** The checks and writes of a PATCH, inside the caller's transaction. */
export async function applyUpdate(tx: Transaction, id: string, expectedVersion: number, patch: TaskPatch, ctx: WriteContext): Promise<Task> {
  const task = await lockTask(tx, id);
  const relation = await relationOf(tx, ctx.principal, id);
  if (ctx.principal.role === 'agency' && relation === 'none') throw new ForbiddenError('This task is not assigned to your agency.');
  assertVersion(task, expectedVersion);
  if (patch.status !== undefined || patch.progress !== undefined) assertOwnStatus(task, patch.status !== undefined ? 'status' : 'progress');
  const plan = planTaskUpdate(ctx.principal, relation, task, patch);
  if (Object.keys(plan.changes).length === 0) return getTask(tx, id, ctx);

  const values: Partial<TaskRow> = {};
  if (plan.changes.status) values.status = plan.changes.status.to;
  if (plan.changes.progress) values.progress = plan.changes.progress.to;
  if (plan.changes.dueDate) values.dueDate = plan.changes.dueDate.to;
  await recordChange(tx, id, { ...values, updatedAt: ctx.now }, {
    type: plan.type,
    at: ctx.now.toISOString(),
    actor: actorOf(ctx.principal),
    changes: plan.changes,
    note: plan.note,
    evidence: [],
  });
  return getTask(tx, id, ctx);
}

/**
 * A progress report from any responsible agency, lead or co: note, optional progress and evidence
 * links; the progress is the task's for the lead, the reporter's own share for a co unit. With
 * expectedVersion (a batch item's ifMatch), only onto that version of the task.
 */
export async function reportProgress(tx: Transaction, id: string, report: ProgressReport, ctx: WriteContext, expectedVersion?: number): Promise<{ task: Task; event: Event }> {
  const task = await lockTask(tx, id);
  if (ctx.principal.role !== 'agency') throw new ForbiddenError('Progress reports come from the responsible agencies.');
  const { assignments, acting } = await standingOf(tx, ctx.principal, id);
  if (!acting) throw new ForbiddenError('This task is not assigned to your agency.');
  if (expectedVersion !== undefined) assertVersion(task, expectedVersion);
  if (report.progress !== undefined && acting.role === 'lead') assertOwnStatus(task, 'progress');
  const plan = planProgressReport(task, assignments, acting, report.progress);
  const values: Partial<TaskRow> = { lastReportAt: ctx.now, updatedAt: ctx.now };
  if (plan.changes.progress) values.progress = plan.changes.progress.to;
  const indicatorChange = report.indicators?.length ? await recordIndicatorValues(tx, id, report.indicators, ctx.now) : undefined;
  const { event } = await recordChange(
    tx,
    id,
    values,
    {
      type: 'progress_reported',
      at: ctx.now.toISOString(),
      actor: actorOf(ctx.principal),
      changes: { ...plan.changes, ...(indicatorChange ? { indicators: indicatorChange } : {}) },
      note: report.note,
      evidence: report.evidence ?? [],
    },
    plan.assignments,
  );
  if (report.indicators?.length) {
    await tx
      .update(taskIndicators)
      .set({ latestEventId: event.id })
      .where(
        and(
          eq(taskIndicators.taskId, id),
          inArray(
            taskIndicators.key,
            report.indicators.map((entry) => entry.key),
          ),
        ),
      );
  }
  return { task: await getTask(tx, id, ctx), event: toEvent(event) };
}

/** Sets the indicators' latest values ahead of the report's event, which records them; the values before and after, for its changes. */
async function recordIndicatorValues(tx: Transaction, taskId: string, reported: readonly { key: string; value: number }[], now: Date) {
  const rows = await tx.select().from(taskIndicators).where(eq(taskIndicators.taskId, taskId)).orderBy(asc(taskIndicators.position));
  const known = new Set(rows.map((row) => row.key));
  const unknown = reported.map((entry, index) => ({ entry, index })).filter(({ entry }) => !known.has(entry.key));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      rows.length === 0 ? 'This task has no indicators.' : `This task’s indicators are ${rows.map((row) => row.key).join(', ')}.`,
      unknown.map(({ entry, index }) => ({ location: 'body' as const, path: `indicators.${index}.key`, message: `no indicator ${entry.key} on this task` })),
    );
  }
  const from = Object.fromEntries(rows.map((row) => [row.key, row.latestValue]));
  const to = { ...from, ...Object.fromEntries(reported.map((entry) => [entry.key, entry.value])) };
  for (const entry of reported) {
    await tx
      .update(taskIndicators)
      .set({ latestValue: entry.value, latestAt: now })
      .where(and(eq(taskIndicators.taskId, taskId), eq(taskIndicators.key, entry.key)));
  }
  return { from, to };
}
