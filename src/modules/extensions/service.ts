import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Transaction } from '../../db/client.js';
import { recordChange } from '../../db/ledger.js';
import { type ExtensionRequestRow, extensionRequests, taskLists, tasks } from '../../db/schema/index.js';
import { ForbiddenError, NotFoundError } from '../../domain/errors.js';
import { planExtensionDecision, planExtensionRequest } from '../../domain/extensions.js';
import type { Principal } from '../../domain/permissions.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { assignedTo } from '../tasks/service.js';
import { actorOf, lockTask, relationOf, type WriteContext } from '../tasks/writes.js';
import type { ExtensionDecisionInput, ExtensionRequest, ExtensionRequestQuery, NewExtensionRequest } from './schemas.js';

export function toExtensionRequest(row: ExtensionRequestRow): ExtensionRequest {
  return {
    id: row.id,
    taskId: row.taskId,
    status: row.status,
    requestedDueDate: row.requestedDueDate,
    reason: row.reason,
    dueDateAtRequest: row.dueDateAtRequest,
    late: row.late,
    requestedAt: row.requestedAt.toISOString(),
    requestedBy: { keyId: row.requestedByKeyId, agencyId: row.requestedByAgencyId },
    requestEventId: row.requestEventId,
    decision:
      row.decidedAt === null || row.decisionEventId === null
        ? null
        : { at: row.decidedAt.toISOString(), keyId: row.decidedByKeyId, note: row.decisionNote, approvedDueDate: row.approvedDueDate, eventId: row.decisionEventId },
  };
}

/**
 * 延期申请, inside the caller's transaction: with the task locked, checks the request against the
 * task and its list's policy (domain/extensions.ts), records it as a ledger event of the task and
 * keeps it for the office's decision.
 */
export async function requestExtension(tx: Transaction, taskId: string, input: NewExtensionRequest, ctx: WriteContext): Promise<ExtensionRequest> {
  const task = await lockTask(tx, taskId);
  const [relation, [list], [pending]] = await Promise.all([
    relationOf(tx, ctx.principal, taskId),
    tx.select({ policy: taskLists.lateExtensionRequests }).from(taskLists).where(eq(taskLists.id, task.listId)),
    tx
      .select({ id: extensionRequests.id })
      .from(extensionRequests)
      .where(and(eq(extensionRequests.taskId, taskId), eq(extensionRequests.status, 'pending'))),
  ]);
  const plan = planExtensionRequest(ctx.principal, relation, task, {
    requestedDueDate: input.requestedDueDate,
    pending: pending !== undefined,
    policy: list!.policy,
    now: ctx.now,
  });
  const actor = actorOf(ctx.principal);
  const { event } = await recordChange(tx, taskId, { updatedAt: ctx.now }, {
    type: 'extension_requested',
    at: ctx.now.toISOString(),
    actor,
    changes: { requestedDueDate: { from: plan.dueDate, to: input.requestedDueDate } },
    note: input.reason,
    evidence: [],
  });
  const [row] = await tx
    .insert(extensionRequests)
    .values({
      id: randomBytes(8).toString('hex'),
      taskId,
      status: 'pending',
      requestedDueDate: input.requestedDueDate,
      reason: input.reason,
      dueDateAtRequest: plan.dueDate,
      late: plan.late,
      requestedAt: ctx.now,
      requestedByKeyId: actor.keyId,
      requestedByAgencyId: actor.agencyId,
      requestEventId: event.id,
    })
    .returning();
  return toExtensionRequest(row!);
}

/**
 * The office's decision, in one transaction: the request and its task locked, the decision checked
 * (domain/extensions.ts), and on approval the due date in force moved, the original kept the first
 * time; the decision is a ledger event of the task either way.
 */
export async function decideExtension(db: Database, requestId: string, input: ExtensionDecisionInput, ctx: WriteContext): Promise<ExtensionRequest> {
  return db.transaction(async (tx) => {
    const [request] = await tx.select().from(extensionRequests).where(eq(extensionRequests.id, requestId)).for('update');
    if (!request) throw new NotFoundError('extension request', requestId);
    const task = await lockTask(tx, request.taskId);
    const { dueDate } = planExtensionDecision(ctx.principal, request, task, input);
    const at = ctx.now.toISOString();
    const actor = actorOf(ctx.principal);
    const note = input.note ?? null;
    const { event } =
      dueDate === null
        ? await recordChange(tx, task.id, { updatedAt: ctx.now }, { type: 'extension_refused', at, actor, changes: {}, note, evidence: [] })
        : await recordChange(
            tx,
            task.id,
            // The date in force before the first approval is kept; a task whose date the office cleared has none to keep.
            { dueDate, originalDueDate: task.originalDueDate ?? task.dueDate, updatedAt: ctx.now },
            {
              type: 'extension_approved',
              at,
              actor,
              changes: {
                dueDate: { from: task.dueDate, to: dueDate },
                ...(task.originalDueDate === null && task.dueDate !== null ? { originalDueDate: { from: null, to: task.dueDate } } : {}),
              },
              note,
              evidence: [],
            },
          );
    const [decided] = await tx
      .update(extensionRequests)
      .set({
        status: dueDate === null ? 'refused' : 'approved',
        decidedAt: ctx.now,
        decidedByKeyId: actor.keyId,
        decisionNote: note,
        approvedDueDate: dueDate,
        decisionEventId: event.id,
      })
      .where(eq(extensionRequests.id, requestId))
      .returning();
    return toExtensionRequest(decided!);
  });
}

/** Agency keys see the requests on their own agency's tasks; the other reading roles see all. */
function visibleTo(db: Database, principal: Principal): SQL | undefined {
  if (principal.role !== 'agency') return undefined;
  return sql`exists (select 1 from ${tasks} where ${tasks.id} = ${extensionRequests.taskId} and ${assignedTo(db, principal.agencyId!, undefined)})`;
}

const requestCursor = z.tuple([z.iso.datetime(), cursorParts.text]);

/** The requests in the order they were made: the office's inbox with status=pending. */
export async function listExtensionRequests(db: Database, query: ExtensionRequestQuery, principal: Principal) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, requestCursor);
  const onTasks = (condition: SQL) => sql`exists (select 1 from ${tasks} where ${tasks.id} = ${extensionRequests.taskId} and ${condition})`;
  const rows = await db
    .select()
    .from(extensionRequests)
    .where(
      and(
        visibleTo(db, principal),
        query.status ? eq(extensionRequests.status, query.status) : undefined,
        query.task ? eq(extensionRequests.taskId, query.task) : undefined,
        query.list ? onTasks(eq(tasks.listId, query.list)) : undefined,
        query.agency ? onTasks(assignedTo(db, query.agency, undefined)) : undefined,
        after
          ? or(gt(extensionRequests.requestedAt, new Date(after[0])), and(eq(extensionRequests.requestedAt, new Date(after[0])), gt(extensionRequests.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(asc(extensionRequests.requestedAt), asc(extensionRequests.id))
    .limit(query.limit + 1);
  const page = paginate(rows, query.limit, (row) => [row.requestedAt.toISOString(), row.id]);
  return { items: page.rows.map(toExtensionRequest), nextCursor: page.nextCursor };
}

export async function getExtensionRequest(db: Database, id: string, principal: Principal): Promise<ExtensionRequest> {
  const [row] = await db.select().from(extensionRequests).where(eq(extensionRequests.id, id));
  if (!row) throw new NotFoundError('extension request', id);
  if (principal.role === 'agency' && (await relationOf(db, principal, row.taskId)) === 'none') {
    throw new ForbiddenError('Agency keys read the extension requests of their own agency’s tasks only.');
  }
  return toExtensionRequest(row);
}
