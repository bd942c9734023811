import type { Transaction } from '../../db/client.js';
import { assignmentsOf, recordChange } from '../../db/ledger.js';
import { planUrge } from '../../domain/workflow.js';
import type { Event } from './events-schemas.js';
import { toEvent } from './events.js';
import type { Task } from './schemas.js';
import { getTask } from './service.js';
import { actorOf, lockTask, type WriteContext } from './writes.js';

export interface UrgeRequest {
  note: string;
  agencyId?: string | undefined;
}

/**
 * 催办: a ledger event on the task, so it is in the task's history and chain and reaches webhooks
 * like any event; like every event it moves the task's version.
 */
export async function urgeTask(tx: Transaction, id: string, request: UrgeRequest, ctx: WriteContext): Promise<{ task: Task; event: Event }> {
  await lockTask(tx, id);
  const plan = planUrge(ctx.principal, await assignmentsOf(tx, id), request.note, request.agencyId);
  const { event } = await recordChange(tx, id, { updatedAt: ctx.now }, { ...plan, at: ctx.now.toISOString(), actor: actorOf(ctx.principal), evidence: [] });
  return { task: await getTask(tx, id, ctx), event: toEvent(event) };
}
