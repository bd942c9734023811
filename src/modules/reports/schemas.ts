import { z } from 'zod';
import { AssignmentRole, Health, Indicator, TaskStatus } from '../tasks/schemas.js';
import { Bom, CalendarDate, Cursor, Id, InputDate, InputMoment, Timestamp } from '../common/schemas.js';
import { REPORT_CADENCES, REPORTING_STATUSES } from '../../domain/reporting.js';

const ListIds = z
  .string()
  .max(1000)
  .transform((value) => value.split(','))
  .pipe(z.array(Id).min(1).max(50))
  .describe('One list id, or several separated by commas.');

const AsOf = z
  .union([InputDate, InputMoment])
  .describe('RFC 3339 date or date-time; a date means the end of that day (UTC). Default: now. Only ledger events recorded at or before it count.');

export const ReportQuery = z.strictObject({
  bom: Bom,
  list: ListIds.optional(),
  parent: Id.optional().describe('Only this task and everything under it (a phase, a year, a group of items).'),
  activeOn: InputDate.optional().describe('Only tasks whose window in force (own or inherited) includes this date.'),
  agency: Id.optional().describe('Only tasks assigned to this agency, directly or through a group it belongs to.'),
  asOf: AsOf.optional(),
});

export const FollowUpQuery = ReportQuery.extend({
  limit: z.coerce.number().int().min(1).max(5000).default(1000).describe('Rows per page; at most 5000.'),
  cursor: Cursor.optional().describe(
    'Opaque: the nextCursor of the previous page. Later pages are computed as of the moment the first page described, so the pages list the tasks of one moment.',
  ),
});

export const StaleQuery = FollowUpQuery.extend({
  days: z.coerce.number().int().min(1).max(3650).optional().describe('Days without a report that make an open task stale, on lists without a reporting cadence; default STALE_AFTER_DAYS.'),
});

const countsBy = <T extends string>(keys: readonly T[]) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int().min(0)])) as Record<T, z.ZodNumber>);

/**
 * A parent's status and progress roll up from its children, so a report that counted both would
 * count the same work twice: counts are of work items, the tasks without children. A flat list is
 * all work items.
 */
const workItems = 'Counts work items only: tasks without children (childCount 0). A parent’s status rolls up from its children, so it is not counted again.';

export const Summary = z
  .object({
    asOf: Timestamp.describe('The moment the report describes.'),
    total: z.number().int().min(0).describe(workItems),
    byStatus: countsBy(TaskStatus.options),
    completionRate: z.number().min(0).max(1).describe('(completed + verified) / total, 4 decimals.'),
    verifiedRate: z.number().min(0).max(1).describe('verified / total, 4 decimals.'),
    overdue: z.number().int().min(0),
    stale: z.number().int().min(0),
    byHealth: countsBy(Health.options),
    extensions: z
      .object({
        extendedTasks: z.number().int().min(0).describe('Tasks whose due date an approved extension request moved.'),
        daysAdded: z.number().int().min(0).describe('Days those extensions added, from each original due date to the one in force.'),
        pendingRequests: z.number().int().min(0).describe('Extension requests waiting for a decision.'),
      })
      .describe('延期: as of the report’s moment, like the counts.'),
    receipts: z
      .object({
        assignments: z.number().int().min(0).describe('Assignments of the tasks counted (each responsible unit of each task).'),
        acknowledged: z.number().int().min(0).describe('Those their units had signed for (签收).'),
        pending: z.number().int().min(0).describe('Those not yet signed for.'),
      })
      .describe('签收: as of the report’s moment, over today’s assignments of the tasks that existed then.'),
  })
  .meta({ id: 'Summary', description: workItems });

export const FollowUpRow = z
  .object({
    taskId: Id,
    listId: Id,
    number: z.number().int(),
    text: z.string(),
    status: TaskStatus,
    progress: z.number().int(),
    dueDate: CalendarDate.nullable(),
    daysLate: z.number().int().nullable().describe('Whole days past the due date; null when not overdue.'),
    lastReportAt: Timestamp.nullable(),
    daysSinceReport: z.number().int().describe('Whole days since the last report, or since creation before the first.'),
    leadAgencyId: Id.nullable(),
    leadAgencyName: z.string().nullable(),
  })
  .meta({ id: 'FollowUpRow' });

export const FollowUpReport = z
  .object({
    asOf: Timestamp,
    items: z.array(FollowUpRow),
    nextCursor: z.string().nullable().describe('Cursor for the next page; null on the last page. CSV responses carry it in a Link header (rel="next").'),
  })
  .meta({
    id: 'FollowUpReport',
    description: 'Lists work items only: tasks without children (childCount 0). A parent’s status rolls up from its children, so it is not listed again.',
  });

export type ReportQuery = z.output<typeof ReportQuery>;
export type FollowUpQuery = z.output<typeof FollowUpQuery>;

const Counts = Summary.omit({ asOf: true, extensions: true, receipts: true }).meta({ id: 'ReportCounts', description: workItems });

export const AgencyRow = z
  .object({
    agencyId: Id,
    name: z.string(),
    kind: z.string(),
    led: z.number().int().min(0).describe('Tasks it leads, itself or through a group it belongs to.'),
    coOwned: z.number().int().min(0).describe('Tasks it co-operates on.'),
    counts: Counts,
    lastReportAt: Timestamp.nullable().describe('Its latest progress report at or before asOf.'),
    daysSinceLastReport: z.number().int().nullable(),
  })
  .meta({ id: 'AgencyReportRow' });

export const AgencyReport = z.object({ asOf: Timestamp, items: z.array(AgencyRow) }).meta({ id: 'AgencyReport' });

export const ArticleRow = z
  .object({ id: Id, number: z.string(), title: z.string(), counts: Counts })
  .meta({ id: 'ArticleReportRow' });

export const PartRow = z
  .object({ id: Id, number: z.string(), title: z.string(), counts: Counts, articles: z.array(ArticleRow) })
  .meta({ id: 'PartReportRow' });

export const ArticleReport = z
  .object({ asOf: Timestamp, documentId: Id, parts: z.array(PartRow) })
  .meta({ id: 'ArticleReport' });

export const ArticleReportQuery = ReportQuery.extend({ document: Id.describe('The document whose parts and articles the report follows.') });

export const TimelineQuery = ReportQuery.omit({ asOf: true }).extend({
  from: InputDate.describe('First day (UTC).'),
  to: InputDate.describe('Last day (UTC), inclusive.'),
  interval: z.enum(['day', 'week', 'month']).default('month'),
});

export const TimelinePoint = z
  .object({
    periodStart: CalendarDate,
    asOf: Timestamp.describe('The end of the period (or now, for a period not over yet): the counts are as of then.'),
    total: z.number().int().min(0).describe(workItems),
    byStatus: countsBy(TaskStatus.options),
  })
  .meta({ id: 'TimelinePoint' });

export const Timeline = z.object({ interval: z.enum(['day', 'week', 'month']), points: z.array(TimelinePoint) }).meta({ id: 'Timeline' });

export const IndicatorRow = z
  .object({
    taskId: Id,
    listId: Id,
    number: z.number().int(),
    label: z.string().nullable(),
    title: z.string().nullable(),
    ...Indicator.pick({ key: true, name: true, unit: true, direction: true, target: true, min: true, max: true, baseline: true, due: true }).shape,
    latest: z.number().nullable().describe('The latest reported value, now; null until one is reported.'),
    latestAt: Timestamp.nullable().describe('When the latest value was reported.'),
    asOfValue: z.number().nullable().describe('The value as of the report’s moment, as the ledger recorded it then; equal to latest for a report of now.'),
    met: z.boolean().nullable().describe('Whether asOfValue meets the target; null while no value had been reported.'),
  })
  .meta({ id: 'IndicatorReportRow' });

export const IndicatorReport = z
  .object({
    asOf: Timestamp,
    counts: z.object({
      indicators: z.number().int().min(0),
      reported: z.number().int().min(0).describe('Indicators with a value as of the report’s moment.'),
      met: z.number().int().min(0).describe('Indicators whose value as of the report’s moment meets the target.'),
    }),
    items: z.array(IndicatorRow).describe('In list order, then the task’s own order of its indicators.'),
  })
  .meta({
    id: 'IndicatorReport',
    description: 'Every indicator of the tasks in scope, parents’ included: an indicator is its task’s own target, not rolled up from its children.',
  });

export const ReportingQuery = z.strictObject({
  bom: Bom,
  list: Id.describe('The list, which must have a cadence (its reporting field).'),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'a month (2026-03) or a quarter (2026-Q1)')
    .describe('The period: a month (2026-03) for a monthly list, a quarter (2026-Q1) for a quarterly one.'),
  agency: Id.optional().describe('Only the rows of this agency’s assignments, its own and its groups’ (a district: 各区人民政府’s).'),
  asOf: AsOf.optional(),
});

export const ReportingStatus = z
  .enum(REPORTING_STATUSES)
  .describe('on_time: its first report in the period came on or before the due date; late: after it, in the period; missing: none, and the due date has passed; not_due: none yet, the due date to come.');

export const ReportingRow = z
  .object({
    taskId: Id,
    number: z.number().int(),
    text: z.string(),
    agencyId: Id.describe('The assigned unit; a group’s row (各区人民政府) counts its members’ reports.'),
    agencyName: z.string(),
    role: AssignmentRole,
    status: ReportingStatus,
    reportedAt: Timestamp.nullable().describe('Its first progress report in the period, at or before asOf.'),
    reportedBy: Id.nullable().describe('Who sent that report: the unit, or a member of its group.'),
    dueDate: CalendarDate,
  })
  .meta({ id: 'ReportingRow' });

export const ReportingReport = z
  .object({
    asOf: Timestamp,
    listId: Id,
    cadence: z.enum(REPORT_CADENCES),
    period: z.string(),
    periodStart: CalendarDate,
    periodEnd: CalendarDate.describe('The period’s last day.'),
    dueDate: CalendarDate,
    total: z.number().int().min(0).describe('Rows: each responsible unit of each work item the period judges.'),
    byStatus: countsBy(REPORTING_STATUSES),
    items: z.array(ReportingRow).describe('In list order, then the task’s order of its units.'),
  })
  .meta({
    id: 'ReportingReport',
    description:
      'Per work item and responsible unit of a list with a cadence: whether the unit reported in the period on time, late, or not at all. A period judges the work items that existed by the end of its due date and were not done (completed or verified) when it began.',
  });

export type ReportingQuery = z.output<typeof ReportingQuery>;
