import { eq } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.js';
import { assignmentsOf, recordChange } from '../../db/ledger.js';
import { agencyMembers, type TaskRow, tasks } from '../../db/schema/index.js';
import { DomainError, ForbiddenError, NotFoundError } from '../../domain/errors.js';
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
}

/** Locks the task row for the rest of the transaction: writers to one task queue up here. */
async function lockTask(tx: Transaction, id: string): Promise<TaskRow> {
  const [task] = await tx.select().from(tasks).where(eq(tasks.id, id)).for('update');
  if (!task) throw new NotFoundError('task', id);
  return task;
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

function actorOf(principal: Principal): Actor {
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
  const plan = planProgressReport(task, assignments, acting, report.progress);
  const values: Partial<TaskRow> = { lastReportAt: ctx.now, updatedAt: ctx.now };
  if (plan.changes.progress) values.progress = plan.changes.progress.to;
  const { event } = await recordChange(
    tx,
    id,
    values,
    { type: 'progress_reported', at: ctx.now.toISOString(), actor: actorOf(ctx.principal), changes: plan.changes, note: report.note, evidence: report.evidence ?? [] },
    plan.assignments,
  );
  return { task: await getTask(tx, id, ctx), event: toEvent(event) };
}
