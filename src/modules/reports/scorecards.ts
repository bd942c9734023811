import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, assignmentReceipts, extensionRequests, taskAssignments, taskEvents, tasks } from '../../db/schema/index.js';
import { InvalidInputError } from '../../domain/errors.js';
import { type Period, periodAt, shiftPeriod } from '../../domain/reporting.js';
import type { QuietRules } from '../common/task-conditions.js';
import { periodRows } from './reporting.js';
import { scoreOf, scoreParts, type UnitRecord } from '../../domain/scorecard.js';
import { utcDate } from '../../domain/task-state.js';
import { actingAgencies, actingRoles, type ReportContext, reportMoment, scopeOf, tasksAt } from './service.js';
import { quietRules } from '../task-lists/service.js';
import type { ScorecardQuery } from './scorecard-schemas.js';

/** A scorecard's range walks each list's periods; more than this many on one list is refused. */
const MAX_PERIODS = 120;

type ReportCounts = { onTime: number; late: number; missed: number };

/**
 * Reports due per assignment agency: for each list with a cadence in scope, each period whose due
 * date falls in [from, to] and has come by the moment, how each responsible unit stood then (the
 * reporting report's rows, so the same rules); on_time, late and missing are counted, not_due is not.
 */
async function reportCounts(db: Database, rules: QuietRules, lists: readonly string[] | undefined, from: string, to: string, at: Date): Promise<Map<string, ReportCounts>> {
  const counts = new Map<string, ReportCounts>();
  for (const { listId, reporting } of rules.cadenced.filter((list) => !lists || lists.includes(list.listId))) {
    const periods: Period[] = [];
    for (let period = periodAt(new Date(`${from}T00:00:00Z`), reporting); period.dueDate <= to && period.start <= at; period = shiftPeriod(period, 1, reporting)) {
      if (period.dueDate >= from) periods.push(period);
      if (periods.length > MAX_PERIODS) {
        throw new InvalidInputError(`A scorecard walks at most ${MAX_PERIODS} reporting periods of a list.`, [{ location: 'querystring', path: 'to', message: `more than ${MAX_PERIODS} periods of ${listId} after from` }]);
      }
    }
    for (const period of periods) {
      for (const row of await periodRows(db, listId, period, at)) {
        if (row.status === 'not_due') continue;
        const unit = counts.get(row.agencyId) ?? { onTime: 0, late: 0, missed: 0 };
        if (row.status === 'on_time') unit.onTime++;
        else if (row.status === 'late') unit.late++;
        else unit.missed++;
        counts.set(row.agencyId, unit);
      }
    }
  }
  return counts;
}

const int = (expression: ReturnType<typeof sql>) => sql<number>`coalesce(${expression}, 0)::int`;
const round4 = (share: number | null) => (share === null ? null : Math.round(share * 10_000) / 10_000);

/**
 * 考评 per unit over [from, to] as of a moment (domain/scorecard.ts scores it): each count is read
 * from what the ledger and the routine's tables held at that moment — the tasks' states, their
 * first completions, extension requests and receipts — over the work items in scope that existed
 * then. A unit counts the tasks it acts on, its groups' included, as in the agency report.
 */
export async function scorecardReport(db: Database, query: ScorecardQuery, ctx: ReportContext) {
  if (query.from > query.to) {
    throw new InvalidInputError('from must not be after to.', [{ location: 'querystring', path: 'to', message: 'before from' }]);
  }
  const { at, live } = reportMoment(query.asOf, ctx.now);
  const start = new Date(`${query.from}T00:00:00.000Z`);
  const dayAfterTo = new Date(Date.parse(`${query.to}T00:00:00.000Z`) + 86_400_000 - 1);
  const end = dayAfterTo < at ? dayAfterTo : at;
  const scope = and(scopeOf(db, { ...query, agency: undefined }), lte(tasks.createdAt, at))!;
  const roles = actingRoles(db, query.agency);
  const rules = await quietRules(db, ctx.policy.staleAfterDays);
  const scoped = tasksAt(db, scope, at, live, rules);
  const today = utcDate(at);
  const overdue = sql`${scoped.dueDate} < ${today} and ${scoped.status} not in ('completed', 'verified')`;
  const lead = sql`${roles.role} = 'lead'`;

  // Each task's first completion in the period, with the due date in force then.
  const completions = db
    .selectDistinctOn([taskEvents.taskId], {
      taskId: sql<string>`${taskEvents.taskId}`.as('completed_task_id'),
      onTime: sql<boolean>`(${taskEvents.state}->>'dueDate' is null or (${taskEvents.at} at time zone 'UTC')::date <= (${taskEvents.state}->>'dueDate')::date)`.as('on_time'),
    })
    .from(taskEvents)
    .where(and(sql`${taskEvents.changes}->'status'->>'to' = 'completed'`, gte(taskEvents.at, start), lte(taskEvents.at, end)))
    .orderBy(taskEvents.taskId, taskEvents.at, taskEvents.seq)
    .as('completions');

  const acting = actingAgencies(db);
  const [standing, completed, extensions, receipts, agencyRows, reports, memberships] = await Promise.all([
    db
      .select({
        agencyId: roles.agencyId,
        led: int(sql`count(*) filter (where ${lead})`),
        coOperated: int(sql`count(*) filter (where ${roles.role} = 'co')`),
        overdueNow: int(sql`count(*) filter (where ${lead} and ${overdue})`),
        daysOverdue: int(sql`sum(${today}::date - ${scoped.dueDate}::date) filter (where ${lead} and ${overdue})`),
      })
      .from(roles)
      .innerJoin(scoped, eq(scoped.id, roles.taskId))
      .groupBy(roles.agencyId),
    db
      .select({
        agencyId: roles.agencyId,
        onTime: int(sql`count(*) filter (where ${completions.onTime})`),
        late: int(sql`count(*) filter (where not ${completions.onTime})`),
      })
      .from(roles)
      .innerJoin(completions, eq(completions.taskId, roles.taskId))
      .innerJoin(tasks, eq(tasks.id, roles.taskId))
      .where(and(scope, sql`${lead}`))
      .groupBy(roles.agencyId),
    db
      .select({
        agencyId: roles.agencyId,
        requested: int(sql`count(*) filter (where ${extensionRequests.requestedAt} between ${start} and ${end})`),
        approved: int(sql`count(*) filter (where ${extensionRequests.status} = 'approved' and ${extensionRequests.decidedAt} between ${start} and ${end})`),
      })
      .from(roles)
      .innerJoin(extensionRequests, eq(extensionRequests.taskId, roles.taskId))
      .innerJoin(tasks, eq(tasks.id, roles.taskId))
      .where(and(scope, sql`${lead}`))
      .groupBy(roles.agencyId),
    db
      .with(acting)
      .select({
        agencyId: acting.agencyId,
        assignments: int(sql`count(*)`),
        pending: int(sql`count(*) filter (where ${assignmentReceipts.acknowledgedAt} is null)`),
      })
      .from(taskAssignments)
      .innerJoin(acting, eq(acting.via, taskAssignments.agencyId))
      .innerJoin(tasks, eq(tasks.id, taskAssignments.taskId))
      .leftJoin(
        assignmentReceipts,
        and(eq(assignmentReceipts.taskId, taskAssignments.taskId), eq(assignmentReceipts.agencyId, taskAssignments.agencyId), lte(assignmentReceipts.acknowledgedAt, at)),
      )
      .where(and(scope, query.agency ? eq(acting.agencyId, query.agency) : undefined))
      .groupBy(acting.agencyId),
    db.select({ id: agencies.id, name: agencies.name, kind: agencies.kind }).from(agencies).orderBy(asc(agencies.id)),
    reportCounts(db, rules, query.list, query.from, query.to, at),
    db.select({ memberId: agencyMembers.memberId, groupId: agencyMembers.groupId }).from(agencyMembers),
  ]);
  // A unit answers for its own assignments and its groups'.
  const reportsOf = (agencyId: string): ReportCounts => {
    const units = [agencyId, ...memberships.filter((m) => m.memberId === agencyId).map((m) => m.groupId)];
    return units.reduce<ReportCounts>((sum, unit) => {
      const counted = reports.get(unit);
      return counted ? { onTime: sum.onTime + counted.onTime, late: sum.late + counted.late, missed: sum.missed + counted.missed } : sum;
    }, { onTime: 0, late: 0, missed: 0 });
  };
  const byAgency = <T extends { agencyId: string }>(rows: T[]) => new Map(rows.map((row) => [row.agencyId, row]));
  const [standingOf, completedOf, extensionsOf, receiptsOf] = [byAgency(standing), byAgency(completed), byAgency(extensions), byAgency(receipts)];
  const items = agencyRows
    .filter((agency) => standingOf.has(agency.id))
    .map((agency) => {
      const record: UnitRecord = {
        led: standingOf.get(agency.id)!.led,
        coOperated: standingOf.get(agency.id)!.coOperated,
        completedOnTime: completedOf.get(agency.id)?.onTime ?? 0,
        completedLate: completedOf.get(agency.id)?.late ?? 0,
        overdueNow: standingOf.get(agency.id)!.overdueNow,
        daysOverdue: standingOf.get(agency.id)!.daysOverdue,
        extensionsRequested: extensionsOf.get(agency.id)?.requested ?? 0,
        extensionsApproved: extensionsOf.get(agency.id)?.approved ?? 0,
        reportsOnTime: reportsOf(agency.id).onTime,
        reportsLate: reportsOf(agency.id).late,
        reportsMissed: reportsOf(agency.id).missed,
        assignments: receiptsOf.get(agency.id)?.assignments ?? 0,
        receiptsPending: receiptsOf.get(agency.id)?.pending ?? 0,
      };
      const parts = scoreParts(record);
      return {
        agencyId: agency.id,
        name: agency.name,
        kind: agency.kind,
        ...record,
        parts: Object.fromEntries(Object.entries(parts).map(([part, share]) => [part, round4(share)])) as typeof parts,
        score: scoreOf(record),
      };
    });
  return { asOf: at.toISOString(), from: start.toISOString(), to: end.toISOString(), items };
}
