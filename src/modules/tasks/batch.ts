import { inArray, or, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { tasks } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemMembersOf } from '../../plugins/problems.js';
import { versionFromIfMatch } from '../common/etag.js';
import type { BatchRequest, BatchResult } from './write-schemas.js';
import { applyUpdate, reportProgress, type WriteContext } from './writes.js';

type Item = BatchRequest['items'][number];
type ItemResult = BatchResult['results'][number];

async function applyItem(tx: Transaction, item: Item, index: number, ctx: WriteContext): Promise<ItemResult> {
  const expectedVersion = item.ifMatch === undefined ? undefined : versionFromIfMatch(item.ifMatch, { location: 'body', path: `items.${index}.ifMatch`, message: '' });
  if (item.op === 'update') {
    return { index, taskId: item.taskId, status: 200, task: await applyUpdate(tx, item.taskId, expectedVersion!, item.changes, ctx) };
  }
  const { task, event } = await reportProgress(tx, item.taskId, item.report, ctx, expectedVersion);
  return { index, taskId: item.taskId, status: 201, task, event };
}

/**
 * Applies a batch inside the caller's transaction. All its tasks are locked first, in id order, so
 * two batches over the same tasks queue instead of deadlocking. Atomic: the first failing item
 * aborts the whole batch with batch_failed. Independent: each item runs in a savepoint, so a
 * failing item leaves no trace and the others still commit, together.
 */
export async function applyBatch(tx: Transaction, batch: BatchRequest, ctx: WriteContext): Promise<BatchResult> {
  const ids = [...new Set(batch.items.map((item) => item.taskId))].sort();
  // With their ancestors, which their changes may roll up into, in the one order every writer locks in.
  const ancestors = tx.select({ id: sql<string>`unnest(${tasks.ancestorIds})` }).from(tasks).where(inArray(tasks.id, ids));
  await tx
    .select({ id: tasks.id })
    .from(tasks)
    .where(or(inArray(tasks.id, ids), inArray(tasks.id, ancestors)))
    .orderBy(tasks.id)
    .for('update');
  const results: ItemResult[] = [];
  for (const [index, item] of batch.items.entries()) {
    try {
      results.push(batch.mode === 'atomic' ? await applyItem(tx, item, index, ctx) : await tx.transaction((savepoint) => applyItem(savepoint, item, index, ctx)));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problem = problemMembersOf(error);
      if (batch.mode === 'atomic') {
        throw new DomainError('batch_failed', `Item ${index} (${item.op} ${item.taskId}) failed, so nothing was applied: ${error.message}`, {
          failedItem: { index, taskId: item.taskId, problem },
        });
      }
      results.push({ index, taskId: item.taskId, status: problem.status, problem });
    }
  }
  const failed = results.filter((result) => result.problem !== undefined).length;
  return { mode: batch.mode, applied: results.length - failed, failed, results };
}
