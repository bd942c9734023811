import { and, asc, gt, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskEvents, type TaskRow, tasks } from '../../db/schema/index.js';
import { readTag } from '../common/read-tag.js';
import { toEvent } from '../tasks/events.js';
import type { Event } from '../tasks/events-schemas.js';
import { hydrate, type ReadContext } from '../tasks/service.js';
import type { Task } from '../tasks/schemas.js';

const BATCH = 500;

/**
 * A batch fetched ahead of need, while the one before it is being written, so the database and the
 * serialisation overlap. Its failure surfaces where it is awaited; if the export is abandoned
 * first (the client went away), nothing awaits it and it must not become an unhandled rejection.
 */
function ahead<T>(batch: Promise<T>): Promise<T> {
  batch.catch(() => undefined);
  return batch;
}

async function taskBatch(db: Database, after: [string, number] | null, ctx: ReadContext): Promise<{ tasks: Task[]; next: [string, number] | null }> {
  const page: TaskRow[] = await db
    .select()
    .from(tasks)
    // A row comparison, which the (list_id, position) index seeks to; the equivalent OR of column
    // tests is only a filter, so each batch would scan every task before the cursor again.
    .where(after ? sql`(${tasks.listId}, ${tasks.position}) > (${after[0]}, ${after[1]})` : undefined)
    .orderBy(asc(tasks.listId), asc(tasks.position))
    .limit(BATCH);
  const last = page.at(-1);
  return { tasks: await hydrate(db, page, ctx), next: last && page.length === BATCH ? [last.listId, last.position] : null };
}

/**
 * Every task, by list then number, a batch at a time: an export of any size holds at most two
 * batches in memory, the one being written and the next.
 */
export async function* exportTasks(db: Database, ctx: ReadContext): AsyncGenerator<Task[]> {
  let pending = taskBatch(db, null, ctx);
  for (;;) {
    const batch = await pending;
    if (batch.next) pending = ahead(taskBatch(db, batch.next, ctx));
    if (batch.tasks.length > 0) yield batch.tasks;
    if (!batch.next) return;
  }
}

/**
 * A validator for the tasks export: its bytes follow from what readTag names, and from the clock
 * through the derived flags — overdue and health with the UTC date, stale with the number of
 * stale tasks. Weak also because rows written while a long export streams may appear in their
 * newer state.
 */
export function tasksExportTag(db: Database, ctx: ReadContext, variant: string): Promise<string> {
  return readTag(db, 'tasks', { now: ctx.now, policy: ctx.policy, variant, live: { scope: undefined, clock: ['staleTasks'] } });
}

async function eventBatch(db: Database, after: number, until: number): Promise<{ events: Event[]; next: number | null }> {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(gt(taskEvents.id, after), lte(taskEvents.id, until)))
    .orderBy(asc(taskEvents.id))
    .limit(BATCH);
  return { events: rows.map(toEvent), next: rows.length === BATCH ? rows.at(-1)!.id : null };
}

/**
 * Events after `since` up to `until`, in ledger order, a batch at a time (the next fetched while
 * one is written). The upper bound is the position read when the export began, so the export
 * matches its ETag even while writes go on.
 */
export async function* exportEvents(db: Database, since: number, until: number): AsyncGenerator<Event[]> {
  let pending = eventBatch(db, since, until);
  for (;;) {
    const batch = await pending;
    if (batch.next !== null) pending = ahead(eventBatch(db, batch.next, until));
    if (batch.events.length > 0) yield batch.events;
    if (batch.next === null) return;
  }
}
