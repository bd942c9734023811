import t from 'tap';
import { scoreOf, scoreParts, type UnitRecord } from '../../src/domain/scorecard.js';

const record = (overrides: Partial<UnitRecord> = {}): UnitRecord => ({
  led: 4,
  coOperated: 2,
  completedOnTime: 3,
  completedLate: 1,
  overdueNow: 1,
  daysOverdue: 12,
  extensionsRequested: 1,
  extensionsApproved: 1,
  reportsOnTime: 0,
  reportsLate: 0,
  reportsMissed: 0,
  assignments: 6,
  receiptsPending: 3,
  ...overrides,
});

t.test('the parts of a score', async (t) => {
  t.same(scoreParts(record()), { completion: 0.75, timeliness: 0.75, reporting: null, receipt: 0.5 }, 'no reporting periods: reporting does not apply');
  t.same(scoreParts(record({ reportsOnTime: 2, reportsLate: 1, reportsMissed: 1 })).reporting, 0.5, 'on time of all due');
  t.same(scoreParts(record({ completedOnTime: 0, completedLate: 0 })).completion, null, 'nothing completed: completion does not apply');
  t.same(scoreParts(record({ led: 0, overdueNow: 0 })).timeliness, null, 'leading nothing: timeliness does not apply');
  t.same(scoreParts(record({ assignments: 0, receiptsPending: 0 })).receipt, null);
});

t.test('the score weighs the parts that apply', async (t) => {
  t.equal(scoreOf(record()), 71.4, '(3 × 0.75 + 3 × 0.75 + 1 × 0.5) / 7');
  t.equal(scoreOf(record({ completedOnTime: 0, completedLate: 0 })), 68.8, 'without completions: (3 × 0.75 + 1 × 0.5) / 4 = 68.75');
  t.equal(scoreOf(record({ overdueNow: 0, completedLate: 0, receiptsPending: 0 })), 100);
  t.equal(scoreOf(record({ reportsOnTime: 1, reportsMissed: 1 })), 66.7, '(3 × 0.75 + 3 × 0.75 + 2 × 0.5 + 1 × 0.5) / 9');
  t.equal(scoreOf(record({ led: 0, overdueNow: 0, completedOnTime: 0, completedLate: 0, assignments: 0, receiptsPending: 0 })), null, 'nothing to judge: no score');
  t.equal(scoreOf(record({ completedOnTime: 0, completedLate: 2, overdueNow: 4, receiptsPending: 6 })), 0);
  t.ok(scoreOf(record({ daysOverdue: 1000, extensionsRequested: 9 }))! === scoreOf(record()), 'days overdue and extensions are shown, not scored');
});
