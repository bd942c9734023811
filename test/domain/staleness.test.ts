import t from 'tap';
import { isQuietUnder } from '../../src/domain/staleness.js';

const monthly = { cadence: 'monthly' as const, dueDay: 28 };
const created = new Date('2026-01-05T08:00:00Z');
const task = (lastReportAt: string | null, createdAt = created) => ({ lastReportAt: lastReportAt === null ? null : new Date(lastReportAt), createdAt });

t.test('without a cadence: no report for staleAfterDays', async (t) => {
  t.equal(isQuietUnder(null, task('2026-02-25T00:00:00Z'), new Date('2026-03-29T00:00:00Z'), 60), false);
  t.equal(isQuietUnder(null, task('2026-01-20T00:00:00Z'), new Date('2026-03-29T00:00:00Z'), 60), true);
});

t.test('under a cadence: the latest period whose due date has passed was missed', async (t) => {
  const march20 = new Date('2026-03-20T00:00:00Z');
  const march29 = new Date('2026-03-29T00:00:00Z');
  t.equal(isQuietUnder(monthly, task('2026-02-25T00:00:00Z'), march20, 60), false, 'February’s due date passed; February was reported');
  t.equal(isQuietUnder(monthly, task('2026-02-25T00:00:00Z'), march29, 60), true, 'March’s passed on the 28th, unreported: stale, whatever staleAfterDays says');
  t.equal(isQuietUnder(monthly, task('2026-03-01T00:00:00Z'), march29, 60), false, 'a report on the first day of the period');
  t.equal(isQuietUnder(monthly, task('2026-02-28T23:59:59Z'), new Date('2026-03-28T23:00:00Z'), 60), false, 'on the due day itself March is not yet missed');
  t.equal(isQuietUnder(monthly, task(null, new Date('2026-03-29T00:00:00Z')), march29, 60), false, 'created after March’s due date: not judged for March');
  t.equal(isQuietUnder(monthly, task(null, new Date('2026-03-27T00:00:00Z')), march29, 60), true, 'created before it, and silent');
  t.equal(isQuietUnder({ cadence: 'quarterly', dueDay: 20 }, task('2026-01-10T00:00:00Z'), new Date('2026-03-21T00:00:00Z'), 60), false, 'Q1 reported in January');
  t.equal(isQuietUnder({ cadence: 'quarterly', dueDay: 20 }, task('2025-12-30T00:00:00Z'), new Date('2026-03-21T00:00:00Z'), 60), true, 'Q1 due 03-20, nothing since January 1');
});
