import { and, asc, eq, gt, inArray, isNotNull, isNull, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Transaction } from '../../db/client.js';
import { recordChange } from '../../db/ledger.js';
import { agencies, agencyMembers, assignmentReceipts, taskAssignments, tasks } from '../../db/schema/index.js';
import { ForbiddenError } from '../../domain/errors.js';
import type { Principal } from '../../domain/permissions.js';
import { assertOpenToAgencies } from '../../domain/workflow.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { actorOf, lockTask, standingOf, type WriteContext } from '../tasks/writes.js';
import type { Receipt, ReceiptQuery } from './schemas.js';

const receiptColumns = {
  taskId: taskAssignments.taskId,
  agencyId: taskAssignments.agencyId,
  agencyName: agencies.name,
  role: taskAssignments.role,
  position: taskAssignments.position,
  acknowledgedAt: assignmentReceipts.acknowledgedAt,
  byKeyId: assignmentReceipts.byKeyId,
  byAgencyId: assignmentReceipts.byAgencyId,
  eventId: assignmentReceipts.eventId,
};

function receiptsOf(db: Database | Transaction) {
  return db
    .select(receiptColumns)
    .from(taskAssignments)
    .innerJoin(agencies, eq(agencies.id, taskAssignments.agencyId))
    .leftJoin(assignmentReceipts, and(eq(assignmentReceipts.taskId, taskAssignments.taskId), eq(assignmentReceipts.agencyId, taskAssignments.agencyId)));
}

function toReceipt(row: Awaited<ReturnType<ReturnType<typeof receiptsOf>['execute']>>[number]): Receipt {
  return {
    taskId: row.taskId,
    agencyId: row.agencyId,
    agencyName: row.agencyName,
    role: row.role,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedAt === null ? null : { keyId: row.byKeyId, agencyId: row.byAgencyId },
    eventId: row.eventId,
  };
}

/**
 * 签收, inside the caller's transaction: the unit signs for the assignment it acts under (a
 * district for 各区人民政府's), once; signing again answers the first receipt and records nothing.
 */
export async function acknowledgeTask(tx: Transaction, taskId: string, ctx: WriteContext): Promise<{ receipt: Receipt; created: boolean }> {
  const task = await lockTask(tx, taskId);
  if (ctx.principal.role !== 'agency') throw new ForbiddenError('The responsible units sign for their tasks.');
  const { acting } = await standingOf(tx, ctx.principal, taskId);
  if (!acting) throw new ForbiddenError('This task is not assigned to your agency.');
  const mine = and(eq(taskAssignments.taskId, taskId), eq(taskAssignments.agencyId, acting.agencyId));
  const [existing] = await receiptsOf(tx).where(mine);
  if (existing?.acknowledgedAt) return { receipt: toReceipt(existing), created: false };
  assertOpenToAgencies(task);
  const actor = actorOf(ctx.principal);
  const { event } = await recordChange(tx, taskId, { updatedAt: ctx.now }, {
    type: 'assignment_acknowledged',
    at: ctx.now.toISOString(),
    actor,
    changes: { acknowledged: { from: null, to: acting.agencyId } },
    note: null,
    evidence: [],
  });
  await tx.insert(assignmentReceipts).values({ taskId, agencyId: acting.agencyId, acknowledgedAt: ctx.now, byKeyId: actor.keyId, byAgencyId: actor.agencyId, eventId: event.id });
  const [signed] = await receiptsOf(tx).where(mine);
  return { receipt: toReceipt(signed!), created: true };
}

/** The assignments of the agency itself and of the groups it is a member of. */
function ofAgency(db: Database, agencyId: string): SQL {
  return or(
    eq(taskAssignments.agencyId, agencyId),
    inArray(taskAssignments.agencyId, db.select({ id: agencyMembers.groupId }).from(agencyMembers).where(eq(agencyMembers.memberId, agencyId))),
  )!;
}

const receiptCursor = z.tuple([cursorParts.text, cursorParts.int]);

/** Assignments and their receipts, by task and then the unit's place in the cell; an agency key sees its own (and its groups'). */
export async function listReceipts(db: Database, query: ReceiptQuery, principal: Principal) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, receiptCursor);
  const rows = await receiptsOf(db)
    .innerJoin(tasks, eq(tasks.id, taskAssignments.taskId))
    .where(
      and(
        principal.role === 'agency' ? ofAgency(db, principal.agencyId!) : undefined,
        query.agency ? ofAgency(db, query.agency) : undefined,
        query.list ? eq(tasks.listId, query.list) : undefined,
        query.task ? eq(taskAssignments.taskId, query.task) : undefined,
        query.acknowledged === undefined ? undefined : query.acknowledged ? isNotNull(assignmentReceipts.acknowledgedAt) : isNull(assignmentReceipts.acknowledgedAt),
        after ? or(gt(taskAssignments.taskId, after[0]), and(eq(taskAssignments.taskId, after[0]), gt(taskAssignments.position, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position))
    .limit(query.limit + 1);
  const page = paginate(rows, query.limit, (row) => [row.taskId, row.position]);
  return { items: page.rows.map(toReceipt), nextCursor: page.nextCursor };
}

