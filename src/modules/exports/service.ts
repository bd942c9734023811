import { and, asc, eq, gt, lte, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { taskEvents, type TaskRow, tasks } from '../../db/schema/index.js';
import { readTag } from '../common/read-tag.js';
import { toEvent } from '../tasks/events.js';
import type { Event } from '../tasks/events-schemas.js';
import { hydrate, type ReadContext } from '../tasks/service.js';
import type { Task } from '../tasks/schemas.js';

const BATCH = 500;

/**
 * Every task, by list then number, fetched a batch at a time so an export of any size holds at
 * most one batch in memory.
 */
export async function* exportTasks(db: Database, ctx: ReadContext): AsyncGenerator<Task> {
  let after: [string, number] | null = null;
  for (;;) {
    const cursor: [string, number] | null = after;
    const page: TaskRow[] = await db
      .select()
      .from(tasks)
      .where(cursor ? or(gt(tasks.listId, cursor[0]), and(eq(tasks.listId, cursor[0]), gt(tasks.position, cursor[1]))) : undefined)
      .orderBy(asc(tasks.listId), asc(tasks.position))
      .limit(BATCH);
    if (page.length === 0) return;
    yield* await hydrate(db, page, ctx);
    const last: TaskRow = page.at(-1)!;
    after = [last.listId, last.position];
    if (page.length < BATCH) return;
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

/**
 * Events after `since` up to `until`, in ledger order, a batch at a time. The upper bound is the
 * position read when the export began, so the export matches its ETag even while writes go on.
 */
export async function* exportEvents(db: Database, since: number, until: number): AsyncGenerator<Event> {
  let after = since;
  for (;;) {
    const rows = await db
      .select()
      .from(taskEvents)
      .where(and(gt(taskEvents.id, after), lte(taskEvents.id, until)))
      .orderBy(asc(taskEvents.id))
      .limit(BATCH);
    for (const row of rows) yield toEvent(row);
    if (rows.length < BATCH) return;
    after = rows.at(-1)!.id;
  }
}
