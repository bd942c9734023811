import t from 'tap';
import { addDays, deriveState, healthOf, isOverdue, type TaskFacts, utcDate } from '../../src/domain/task-state.js';

const now = new Date('2026-06-30T10:00:00Z');
const base = { status: 'in_progress' as const, dueDate: null, lastReportAt: null, createdAt: new Date('2026-06-01T00:00:00Z') };

t.test('overdue starts the day after the due date and ends with completion', async (t) => {
  t.equal(isOverdue({ ...base, dueDate: '2026-06-30' }, now), false, 'due today is not yet overdue');
  t.equal(isOverdue({ ...base, dueDate: '2026-06-29' }, now), true);
  t.equal(isOverdue({ ...base, status: 'completed', dueDate: '2026-06-01' }, now), false);
  t.equal(isOverdue({ ...base, status: 'verified', dueDate: '2026-06-01' }, now), false);
  t.equal(isOverdue({ ...base, status: 'not_started', dueDate: '2026-06-01' }, now), true);
  t.equal(isOverdue(base, now), false, 'no due date, never overdue');
});

t.test('stale counts from the last report, or from creation before the first', async (t) => {
  const isStale = (task: TaskFacts, at: Date, days: number) =>
    deriveState(task, at, { staleAfterDays: days, amberWindowDays: 14 }).stale;
  t.equal(isStale(base, now, 30), false, '29 days since creation');
  t.equal(isStale(base, now, 29), true, 'exactly 29 days and 10 hours, threshold 29');
  t.equal(isStale({ ...base, lastReportAt: new Date('2026-05-31T10:00:00Z') }, now, 30), true, 'exactly 30 days since the report');
  t.equal(isStale({ ...base, lastReportAt: new Date('2026-05-31T10:00:01Z') }, now, 30), false);
  t.equal(isStale({ ...base, status: 'completed', createdAt: new Date('2020-01-01') }, now, 30), false, 'done tasks are never stale');
});

t.test('health follows 红黄绿灯', async (t) => {
  t.equal(healthOf({ status: 'in_progress', dueDate: '2026-06-29' }, now, 14), 'red');
  t.equal(healthOf({ status: 'delayed', dueDate: null }, now, 14), 'amber');
  t.equal(healthOf({ status: 'in_progress', dueDate: '2026-07-14' }, now, 14), 'amber', 'due on the last day of the window');
  t.equal(healthOf({ status: 'in_progress', dueDate: '2026-07-15' }, now, 14), 'green');
  t.equal(healthOf({ status: 'completed', dueDate: '2026-07-01' }, now, 14), 'green', 'completed is not behind');
  t.equal(healthOf({ status: 'verified', dueDate: '2026-01-01' }, now, 14), 'none');
  t.equal(healthOf({ status: 'not_started', dueDate: null }, now, 14), 'green');
});

t.test('dates are UTC calendar dates', async (t) => {
  t.equal(utcDate(new Date('2026-12-31T23:59:59Z')), '2026-12-31');
  t.equal(addDays('2026-02-27', 2), '2026-03-01');
  t.same(deriveState({ ...base, dueDate: '2026-06-01' }, now, { staleAfterDays: 30, amberWindowDays: 14 }), {
    overdue: true,
    stale: false,
    health: 'red',
  });
});
