import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';

t.test('probes', async (t) => {
  const { app, database } = await setupApp(t);
  t.same((await getJson(app, '/healthz')).body, { status: 'ok' });
  t.same((await getJson(app, '/readyz')).body, { status: 'ok' });

  t.test('every response carries a request id', async (t) => {
    const { headers } = await getJson(app, '/healthz');
    t.match(headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });

  t.test('readyz answers 503 once the database is gone, healthz still 200', async (t) => {
    await database.handle.close();
    const ready = await getJson(app, '/readyz');
    t.equal(ready.status, 503);
    t.match(ready.headers['content-type'], /^application\/problem\+json/);
    t.match(ready.body, { code: 'unavailable', status: 503 });
    t.notMatch(JSON.stringify(ready.body), /select|stack|at /i, 'no SQL or stack in the answer');
    t.equal((await getJson(app, '/healthz')).status, 200);
  });
});
