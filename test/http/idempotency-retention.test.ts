import t from 'tap';
import { pruneIdempotencyRecords } from '../../src/modules/common/idempotency.js';
import { setupApp } from '../helpers/app.js';
import { postReport } from '../helpers/requests.js';

t.test('idempotency records are replayed within the retention and forgotten after it', async (t) => {
  const { app, database, clock, key } = await setupApp(t);
  const lead = await key('agency', 'tj-hrss-bureau');
  const first = await postReport(app, lead, 'tj-2021-annex2-44', { note: '11月进展' }, 'monthly-2026-11');
  t.equal(first.status, 201);

  const hourBefore = new Date(clock.now.getTime() + 23 * 3_600_000);
  t.equal(await pruneIdempotencyRecords(database.handle.db, hourBefore, 24), 0, 'kept for 24 hours');
  const replay = await postReport(app, lead, 'tj-2021-annex2-44', { note: '11月进展' }, 'monthly-2026-11');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.body.event.id, first.body.event.id);

  const dayAfter = new Date(clock.now.getTime() + 24 * 3_600_000 + 1);
  t.equal(await pruneIdempotencyRecords(database.handle.db, dayAfter, 24), 1, 'deleted once older than the retention');
  const fresh = await postReport(app, lead, 'tj-2021-annex2-44', { note: '11月进展' }, 'monthly-2026-11');
  t.equal(fresh.status, 201);
  t.equal(fresh.headers['idempotent-replayed'], undefined, 'a retry after the retention runs as a new request');
  t.not(fresh.body.event.id, first.body.event.id);
});
