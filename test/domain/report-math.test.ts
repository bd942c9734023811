import t from 'tap';
import { daysBetween, summarize } from '../../src/domain/report-math.js';
import { accumulateTimeline, periodStarts } from '../../src/domain/timeline.js';

const at = new Date('2026-06-30T10:00:00Z');

t.test('a summary weighs each group of alike tasks by its count', async (t) => {
  const summary = summarize(
    [
      { status: 'in_progress', dueDate: '2026-06-01', quiet: true, count: 3 }, // overdue, stale, red
      { status: 'delayed', dueDate: null, quiet: false, count: 2 }, // amber
      { status: 'not_started', dueDate: '2026-07-10', quiet: false, count: 1 }, // due within 14 days: amber
      { status: 'completed', dueDate: '2026-06-01', quiet: true, count: 4 }, // done: neither overdue nor stale, green
      { status: 'verified', dueDate: null, quiet: true, count: 2 }, // none
    ],
    at,
    14,
  );
  t.same(summary, {
    total: 12,
    byStatus: { not_started: 1, in_progress: 3, delayed: 2, completed: 4, verified: 2 },
    completionRate: 0.5,
    verifiedRate: 0.1667,
    overdue: 3,
    stale: 3,
    byHealth: { red: 3, amber: 3, green: 4, none: 2 },
  });
  t.same(summarize([], at, 14).completionRate, 0, 'no tasks, no division by zero');
});

t.test('days are whole days, counted from the start of a date', async (t) => {
  t.equal(daysBetween('2026-06-29', at), 1);
  t.equal(daysBetween(new Date('2026-06-29T10:00:01Z'), at), 0);
});

t.test('the timeline adds up status moves period by period', async (t) => {
  const counts = accumulateTimeline(
    [
      { period: 2, from: 'in_progress', to: 'completed', count: 1 },
      { period: 0, from: null, to: 'not_started', count: 3 },
      { period: 1, from: 'not_started', to: 'in_progress', count: 2 },
      { period: 2, from: null, to: 'not_started', count: 1 },
    ],
    4,
  );
  t.same(counts, [
    { not_started: 3, in_progress: 0, delayed: 0, completed: 0, verified: 0 },
    { not_started: 1, in_progress: 2, delayed: 0, completed: 0, verified: 0 },
    { not_started: 2, in_progress: 1, delayed: 0, completed: 1, verified: 0 },
    { not_started: 2, in_progress: 1, delayed: 0, completed: 1, verified: 0 },
  ]);
  t.same(periodStarts('2026-01-07', '2026-01-20', 'week', 1000), ['2026-01-05', '2026-01-12', '2026-01-19'], 'weeks start on Monday');
});

t.test('period starts are bounded by the cap before any are built, and years below 100 stay themselves', async (t) => {
  t.equal(periodStarts('0001-01-01', '9999-12-31', 'day', 1000).length, 1001, 'a range of 3.65 million days builds one start past the cap, not all of them');
  t.same(periodStarts('0050-11-15', '0051-01-01', 'month', 1000), ['0050-11-01', '0050-12-01', '0051-01-01'], 'not 1950');
  t.same(periodStarts('2026-01-01', '2026-01-03', 'day', 2), ['2026-01-01', '2026-01-02', '2026-01-03']);
});
