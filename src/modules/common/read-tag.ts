import { createHash } from 'node:crypto';
import { and, eq, lte, type SQL, sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { agencies, documents, ledgerState, taskEvents, taskLinks, tasks } from '../../db/schema/index.js';
import { type DerivationPolicy, utcDate } from '../../domain/task-state.js';
import { quietRules } from '../task-lists/service.js';
import { isOpen, staleAt } from './task-conditions.js';

/**
 * What of the clock a live read shows besides the UTC date (which overdue, health and days late
 * follow), named by a number that, at one ledger position, only grows with time, so the same
 * number means the same values:
 * - `staleTasks`: how many open tasks are stale (STALE_AFTER_DAYS); a task only becomes stale
 *   with time, so the count names the stale set, which is all that counts of stale tasks show;
 * - `daysSinceReport`: whole days since each open task's last report (or creation), summed, which
 *   names every such day count, and so the stale set for any number of days;
 * - `daysSinceAgencyReport`: the same for each agency's last progress report.
 */
export type ClockFact = 'staleTasks' | 'daysSinceReport' | 'daysSinceAgencyReport';

export interface ReadTagInput {
  now: Date;
  policy: DerivationPolicy;
  /** The read's own parameters (query, format); a read of a past moment names it here. */
  variant: unknown;
  /** For a read of now: the tasks it covers and what of the clock it shows. */
  live?: { scope: SQL | undefined; clock: readonly ClockFact[] } | undefined;
}

const wholeDaysSince = (since: SQLWrapper, now: Date) => sql`floor(extract(epoch from (${now.toISOString()}::timestamptz - ${since})) / 86400)`;

/**
 * A weak validator for a read derived from the tasks, built from what it depends on rather than
 * from its bytes, so a repeated request can be answered 304 without computing the read, and a
 * live read, whose asOf moves with every request, can be answered 304 at all. The facts: the
 * ledger position (task rows change only with an event), the agency names and kinds and the task
 * links reads embed, the documents' import digests (an import can revise an article's text alone), the settings of the derived flags, the read's parameters and, for a read of
 * now, the UTC date and the clock facts it shows. Weak: the bytes differ (asOf) while what they
 * say does not (RFC 9110 §8.8.1).
 */
export async function readTag(db: Database, name: string, input: ReadTagInput): Promise<string> {
  const { now, policy, live } = input;
  const overTasks = (aggregate: SQL) => sql`(select ${aggregate} from ${tasks}${live?.scope ? sql` where ${live.scope}` : sql``})`;
  const lastSign = sql`coalesce(${tasks.lastReportAt}, ${tasks.createdAt})`;
  const rules = live?.clock.includes('staleTasks') ? await quietRules(db, policy.staleAfterDays) : { staleAfterDays: policy.staleAfterDays, cadenced: [] };
  const lastReport = db
    .select({ at: sql`max(${taskEvents.at})`.as('at') })
    .from(taskEvents)
    .where(and(eq(taskEvents.type, 'progress_reported'), eq(taskEvents.actorAgencyId, agencies.id), lte(taskEvents.at, now)))
    .as('last_report');
  const clockFacts: Record<ClockFact, SQL> = {
    staleTasks: overTasks(sql`count(*) filter (where ${staleAt({ status: tasks.status, dueDate: tasks.dueDate, listId: tasks.listId, lastReportAt: tasks.lastReportAt, createdAt: tasks.createdAt }, now, rules)})`),
    daysSinceReport: overTasks(sql`sum(${wholeDaysSince(lastSign, now)}) filter (where ${isOpen({ status: tasks.status })})`),
    daysSinceAgencyReport: sql`(select sum(${wholeDaysSince(lastReport.at, now)}) from ${agencies} cross join lateral ${lastReport})`,
  };
  const [row] = await db
    .select({
      position: ledgerState.position,
      links: sql<number>`(select count(*) from ${taskLinks})`.mapWith(Number),
      agencies: sql<string>`(select md5(string_agg(${agencies.id} || ':' || ${agencies.name} || ':' || ${agencies.kind}, ',' order by ${agencies.id})) from ${agencies})`,
      documents: sql<string>`(select md5(string_agg(${documents.id} || ':' || coalesce(${documents.importHash}, ''), ',' order by ${documents.id})) from ${documents})`,
      ...Object.fromEntries((live?.clock ?? []).map((fact) => [fact, sql<string>`${clockFacts[fact]}::text`])),
    })
    .from(ledgerState);
  const facts = [name, row, policy.staleAfterDays, policy.amberWindowDays, input.variant, live ? utcDate(now) : null];
  return `W/"${name}-${createHash('sha256').update(JSON.stringify(facts)).digest('base64url').slice(0, 32)}"`;
}
