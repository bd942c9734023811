import { z } from 'zod';
import { Bom, Id, InputDate, Timestamp } from '../common/schemas.js';
import { AgencyKind } from '../agencies/schemas.js';
import { ReportQuery } from './schemas.js';

export const ScorecardQuery = ReportQuery.pick({ list: true, parent: true, activeOn: true, agency: true, asOf: true }).extend({
  bom: Bom,
  from: InputDate.describe('First day of the period scored (UTC).'),
  to: InputDate.describe('Last day of the period scored (UTC); the period ends at asOf when that is earlier.'),
});

const count = z.number().int().min(0);
const share = z.number().min(0).max(1).nullable();

export const ScorecardRow = z
  .object({
    agencyId: Id,
    name: z.string(),
    kind: AgencyKind,
    led: count.describe('Tasks it leads (as a member, its group’s), among those in scope that existed at asOf.'),
    coOperated: count,
    completedOnTime: count.describe('Tasks it leads first completed in the period, on or before the due date then in force (or with none).'),
    completedLate: count.describe('Tasks it leads first completed in the period, after the due date then in force.'),
    overdueNow: count.describe('Tasks it leads overdue at asOf.'),
    daysOverdue: count.describe('Days those tasks are overdue at asOf, in total.'),
    extensionsRequested: count.describe('Extension requests on tasks it leads, made in the period.'),
    extensionsApproved: count.describe('Extension requests on tasks it leads, approved in the period.'),
    reportsOnTime: count.describe('Reporting periods (of lists with a cadence in scope) whose due date fell in the period, reported on time by the assignments it acts under.'),
    reportsLate: count.describe('The same, reported late.'),
    reportsMissed: count.describe('The same, not reported by the moment (the due date passed).'),
    assignments: count.describe('Assignments it acts under (its own, and its groups’).'),
    receiptsPending: count.describe('Of those, not signed for (签收) at asOf.'),
    parts: z
      .object({ completion: share, timeliness: share, reporting: share, receipt: share })
      .describe('Each part of the score in [0, 1] (4 decimals); null where the unit has nothing it judges. README, "Scorecards", has the rules.'),
    score: z.number().min(0).max(100).nullable().describe('Out of 100: the weighted mean of the parts that apply (completion 3, timeliness 3, reporting 2, receipt 1); null when none does.'),
  })
  .meta({ id: 'ScorecardRow' });

export const Scorecards = z
  .object({
    asOf: Timestamp.describe('The moment the scorecards describe.'),
    from: Timestamp.describe('Start of the period scored.'),
    to: Timestamp.describe('End of the period scored: the end of the last day, or asOf when earlier.'),
    items: z.array(ScorecardRow),
  })
  .meta({ id: 'Scorecards', description: '考评: per unit over a period, as of a moment; work items only, like the counting reports.' });

export type ScorecardQuery = z.output<typeof ScorecardQuery>;
