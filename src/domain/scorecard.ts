import { z } from 'zod';

/**
 * 考评: how a unit's record over a period becomes a score. The rules live here alone, so an office
 * reads them in one place (README, "Scorecards") and the board shows the same numbers.
 *
 * The score is the weighted mean, out of 100, of the parts that apply to the unit:
 * - completion (weight 3): completed on time / all completed, over the tasks it leads that were
 *   completed in the period;
 * - timeliness (weight 3): 1 − overdue now / tasks it leads;
 * - reporting (weight 2): reports on time / reports due (on time, late or missed), over the
 *   periods of lists with a reporting cadence that closed in the period;
 * - receipt (weight 1): 1 − assignments not signed for / its assignments.
 * A part with nothing to judge (no completions, no led tasks, no assignments) is left out and the
 * weights of the others carry the score; a unit with nothing to judge at all has no score (null).
 */
const count = z.number().int().min(0);

/** A unit's record over the period, as each scorecard row shows it. */
export const unitRecordSchema = z.object({
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
});

export type UnitRecord = z.infer<typeof unitRecordSchema>;

export const SCORE_WEIGHTS = { completion: 3, timeliness: 3, reporting: 2, receipt: 1 } as const;

export type Part = keyof typeof SCORE_WEIGHTS;

/** Each part's share in [0, 1], or null when the unit has nothing it judges. */
export function scoreParts(record: UnitRecord): Record<Part, number | null> {
  const completed = record.completedOnTime + record.completedLate;
  const reportsDue = record.reportsOnTime + record.reportsLate + record.reportsMissed;
  return {
    completion: completed === 0 ? null : record.completedOnTime / completed,
    timeliness: record.led === 0 ? null : 1 - record.overdueNow / record.led,
    reporting: reportsDue === 0 ? null : record.reportsOnTime / reportsDue,
    receipt: record.assignments === 0 ? null : 1 - record.receiptsPending / record.assignments,
  };
}

/** The score out of 100, one decimal; null when no part applies. */
export function scoreOf(record: UnitRecord): number | null {
  let weighted = 0;
  let weights = 0;
  for (const [part, share] of Object.entries(scoreParts(record)) as [Part, number | null][]) {
    if (share === null) continue;
    weighted += SCORE_WEIGHTS[part] * share;
    weights += SCORE_WEIGHTS[part];
  }
  return weights === 0 ? null : Math.round((weighted / weights) * 1000) / 10;
}
