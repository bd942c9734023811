import { createHash } from 'node:crypto';
import { and, asc, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { agencies, ledgerState, taskEvents, taskLinks, type TaskRow, tasks } from '../../db/schema/index.js';
import { utcDate } from '../../domain/task-state.js';
import { staleAt } from '../common/task-conditions.js';
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
      .where(cursor ? or(gt(tasks.listId, cursor[0]), and(eq(tasks.listId, cursor[0]), gt(tasks.number, cursor[1]))) : undefined)
      .orderBy(asc(tasks.listId), asc(tasks.number))
      .limit(BATCH);
    if (page.length === 0) return;
    yield* await hydrate(db, page, ctx);
    const last: TaskRow = page.at(-1)!;
    after = [last.listId, last.number];
    if (page.length < BATCH) return;
  }
}

/**
 * A validator for the tasks export. Its bytes follow from the task rows (which change only with a
 * ledger event, so the ledger position stands for them), the agency names and links it embeds, and
 * the clock through the derived flags: overdue and health change with the UTC date, and stale grows
 * with time until an event resets it, so at one position the number of stale tasks says which are.
 * Weak, because rows written while a long export streams may appear in their newer state.
 */
export async function tasksExportTag(db: Database, ctx: ReadContext, variant: string): Promise<string> {
  const lastSign = sql`coalesce(${tasks.lastReportAt}, ${tasks.createdAt})`;
  const [row] = await db
    .select({
      position: sql<number>`(select ${ledgerState.position} from ${ledgerState})`.mapWith(Number),
      stale: sql<number>`count(*) filter (where ${staleAt({ status: tasks.status, dueDate: tasks.dueDate, lastSign }, ctx.now, ctx.policy.staleAfterDays)})`.mapWith(Number),
      links: sql<number>`(select count(*) from ${taskLinks})`.mapWith(Number),
      agencyNames: sql<string>`(select md5(string_agg(${agencies.id} || ':' || ${agencies.name}, ',' order by ${agencies.id})) from ${agencies})`,
    })
    .from(tasks);
  const facts = [row?.position, row?.stale, row?.links, row?.agencyNames, utcDate(ctx.now), ctx.policy.staleAfterDays, ctx.policy.amberWindowDays, variant];
  return `W/"tasks-${createHash('sha256').update(JSON.stringify(facts)).digest('base64url').slice(0, 32)}"`;
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
