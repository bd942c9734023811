import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createKey } from '../../src/modules/api-keys/service.js';
import { createTestDatabase } from '../helpers/database.js';
import { captureLog } from '../helpers/log.js';

t.test('one log line per request, with who asked and the route pattern', async (t) => {
  const log = captureLog();
  const database = await createTestDatabase();
  const app = await buildApp({ config: loadConfig({}), db: database.handle.db, clock: () => new Date(), logger: { level: 'info', stream: log.stream } });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const created = await createKey(database.handle.db, { role: 'agency', agencyId: 'tj-hrss-bureau', label: 'log test' }, { createdBy: null, now: new Date() });
  const secret = created.key.slice('dbn_'.length + created.id.length + 1);
  const requestLines = () => log.lines().filter((line) => line.msg === 'request');

  const response = await app.inject({
    method: 'POST',
    url: '/v1/tasks/tj-2021-annex2-11/reports?trace=me',
    headers: { authorization: `Bearer ${created.key}`, 'idempotency-key': 'idem-SECRET-4711' },
    payload: { note: '10月进展' },
  });
  t.equal(response.statusCode, 201);
  t.equal(requestLines().length, 1, 'one line, not an incoming and a completed one');
  t.notOk(log.lines().some((line) => line.msg === 'incoming request' || line.msg === 'request completed'), "Fastify's own request lines are off");
  const [line] = requestLines();
  t.match(line, {
    level: 30,
    reqId: response.headers['x-request-id'],
    method: 'POST',
    route: '/v1/tasks/:id/reports',
    statusCode: 201,
    keyId: created.id,
    role: 'agency',
  });
  t.type(line!.durationMs, 'number');
  const text = log.text();
  t.notOk(text.includes(secret), 'never the key');
  t.notMatch(text, /idem-SECRET-4711/, 'never the Idempotency-Key');
  t.notMatch(text, /trace=me|tj-2021-annex2-11/, 'the pattern, not the raw URL');

  log.clear();
  const refused = await app.inject({ method: 'GET', url: '/v1/tasks' });
  t.equal(refused.statusCode, 401);
  t.match(requestLines(), [{ route: '/v1/tasks', statusCode: 401, keyId: null, role: null }], 'a refused request is logged too, with no one behind it');

  log.clear();
  await app.inject({ method: 'GET', url: '/no/such/route' });
  t.match(requestLines(), [{ route: null, statusCode: 404 }]);
});
