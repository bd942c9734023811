import t from 'tap';
import { indicatorMet } from '../../src/domain/indicators.js';
import { rollUp } from '../../src/domain/rollup.js';

t.test('a parent’s progress is its children’s, weighted and rounded', async (t) => {
  t.equal(rollUp([{ status: 'in_progress', progress: 40, weight: 1 }, { status: 'not_started', progress: 0, weight: 3 }]).progress, 10);
  t.equal(rollUp([{ status: 'in_progress', progress: 50, weight: 1 }, { status: 'in_progress', progress: 51, weight: 1 }]).progress, 51, 'rounded half up');
  t.equal(rollUp([{ status: 'in_progress', progress: 33, weight: 0.5 }, { status: 'in_progress', progress: 66, weight: 0.5 }]).progress, 50, 'fractional weights');
  t.throws(() => rollUp([]), RangeError);
});

t.test('a parent’s status follows its children', async (t) => {
  const of = (...statuses: Parameters<typeof rollUp>[0][number]['status'][]) => rollUp(statuses.map((status) => ({ status, progress: 0, weight: 1 }))).status;
  t.equal(of('not_started', 'not_started'), 'not_started');
  t.equal(of('not_started', 'in_progress'), 'in_progress');
  t.equal(of('not_started', 'completed'), 'in_progress', 'one done and one not started is under way');
  t.equal(of('in_progress', 'delayed', 'completed'), 'delayed', 'any child behind holds the parent behind');
  t.equal(of('completed', 'verified'), 'completed', 'done, not yet all signed off');
  t.equal(of('verified', 'verified'), 'verified');
});

t.test('an indicator is met by its direction', async (t) => {
  const atLeast = { direction: 'at_least' as const, target: 500, min: null, max: null };
  t.equal(indicatorMet(atLeast, null), null, 'nothing reported yet');
  t.equal(indicatorMet(atLeast, 499), false);
  t.equal(indicatorMet(atLeast, 500), true);
  const atMost = { direction: 'at_most' as const, target: 3, min: null, max: null };
  t.equal(indicatorMet(atMost, 3), true);
  t.equal(indicatorMet(atMost, 3.5), false);
  const between = { direction: 'between' as const, target: null, min: 10, max: 20 };
  t.equal(indicatorMet(between, 9.99), false);
  t.equal(indicatorMet(between, 10), true);
  t.equal(indicatorMet(between, 20), true);
  t.equal(indicatorMet(between, 21), false);
});
