import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { getJson, setupApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { captureLog } from '../helpers/log.js';

t.test('keys', async (t) => {
  const { app, key } = await setupApp(t);
  const admin = await key('admin');

  t.test('no key, a malformed key, an unknown key: 401 problem with WWW-Authenticate', async (t) => {
    for (const authorization of [null, 'Bearer nonsense', 'Basic dXNlcjpwYXNz', `Bearer dbn_aaaaaaaaaaaa_${'A'.repeat(43)}`]) {
      const { status, headers, body } = await getJson(app, '/v1/tasks', authorization);
      t.equal(status, 401, String(authorization));
      t.equal(headers['www-authenticate'], 'Bearer realm="duban"');
      t.match(body, { code: 'unauthorized', type: 'urn:duban:problem:unauthorized' });
    }
  });

  t.test('an admin creates a key, shown once; it works; revoked, it does not', async (t) => {
    const created = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: admin }, payload: { role: 'agency', agencyId: 'tj-hrss-bureau', label: '市人社局 reporting' } });
    t.equal(created.statusCode, 201);
    const body = created.json();
    t.match(body, { id: /^[a-z0-9]{12}$/, key: /^dbn_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/, role: 'agency', agencyId: 'tj-hrss-bureau', label: '市人社局 reporting', revokedAt: null });
    const agencyKey = `Bearer ${body.key}`;

    const me = await getJson(app, '/v1/me', agencyKey);
    t.same(me.body, { keyId: body.id, role: 'agency', agencyId: 'tj-hrss-bureau', agencyName: '市人社局', groupIds: [] });

    const listed = await getJson(app, '/v1/api-keys?limit=200', admin);
    const entry = listed.body.items.find((k: any) => k.id === body.id);
    t.notOk('key' in entry, 'a listed key never shows the key');
    t.notMatch(JSON.stringify(listed.body), body.key.split('_')[2], 'nor its secret');

    t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${body.id}`, headers: { authorization: admin } })).statusCode, 204);
    t.equal((await getJson(app, '/v1/me', agencyKey)).status, 401, 'revoked');
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${body.id}`, headers: { authorization: admin } })).statusCode, 204, 'revoking twice is fine');
    t.match((await getJson(app, '/v1/api-keys?limit=200', admin)).body.items.find((k: any) => k.id === body.id), { revokedAt: String });
    t.equal((await app.inject({ method: 'DELETE', url: '/v1/api-keys/zzzzzzzzzzzz', headers: { authorization: admin } })).statusCode, 404);
  });

  t.test('the agency binding is checked', async (t) => {
    const cases = [
      [{ role: 'agency', label: 'x' }, 'agencyId'],
      [{ role: 'auditor', agencyId: 'tj-hrss-bureau', label: 'x' }, 'agencyId'],
      [{ role: 'agency', agencyId: 'tj-nowhere', label: 'x' }, 'agencyId'],
      [{ role: 'root', label: 'x' }, 'role'],
      [{ role: 'auditor', label: '   ' }, 'label'],
      [{ role: 'auditor', label: 'x', extra: true }, ''],
    ] as const;
    for (const [payload, path] of cases) {
      const response = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: admin }, payload });
      t.equal(response.statusCode, 400, JSON.stringify(payload));
      t.ok(response.json().errors.some((e: any) => e.path === path), `names ${path || 'the unknown key'}`);
    }
  });

  t.test('only admins manage keys', async (t) => {
    for (const role of ['supervisor', 'auditor'] as const) {
      const authorization = await key(role);
      const response = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization }, payload: { role: 'admin', label: 'escalate' } });
      t.equal(response.statusCode, 403, role);
      t.match(response.json(), { code: 'forbidden', detail: /role admin/ });
    }
    const agency = await key('agency', 'tj-hrss-bureau');
    t.equal((await getJson(app, '/v1/api-keys', agency)).status, 403);
  });
});

t.test('PUBLIC_READ opens the read routes, and nothing else', async (t) => {
  const { app } = await setupApp(t, { PUBLIC_READ: 'true' });
  for (const url of ['/v1/documents', '/v1/documents/tj-2021', '/v1/task-lists', '/v1/tasks', '/v1/tasks/tj-2021-annex2-01', '/v1/agencies', '/v1/agencies/moe']) {
    t.equal((await getJson(app, url, null)).status, 200, url);
  }
  for (const url of ['/v1/me', '/v1/api-keys', '/v1/audit/events', '/v1/audit/root', '/v1/tasks/tj-2021-annex2-01/events']) {
    t.equal((await getJson(app, url, null)).status, 401, url);
  }
  const patch = await app.inject({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-01', headers: { 'if-match': '"1"' }, payload: { status: 'in_progress' } });
  t.equal(patch.statusCode, 401);
  t.equal((await getJson(app, '/v1/tasks', 'Bearer wrong')).status, 401, 'a wrong key is still refused, not ignored');
});

t.test('without PUBLIC_READ every /v1 route needs a key; probes and the spec do not', async (t) => {
  const { app } = await setupApp(t);
  t.equal((await getJson(app, '/v1/tasks', null)).status, 401);
  for (const url of ['/healthz', '/readyz', '/openapi.json']) t.equal((await getJson(app, url, null)).status, 200, url);
});

t.test('failed authentications from one address are cut off, with Retry-After', async (t) => {
  const { app } = await setupApp(t, { AUTH_FAILURES_PER_MINUTE: '5' });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await getJson(app, '/v1/tasks', 'Bearer guess')).status);
  t.same(statuses, [401, 401, 401, 401, 401, 401, 429, 429], 'more than 5 failures in the minute: refused');
  const refused = await getJson(app, '/v1/tasks', 'Bearer guess');
  t.match(refused.body, { code: 'rate_limited' });
  t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60, `Retry-After ${refused.headers['retry-after']}`);
});

t.test('guessing at one key id does not lock out the other keys behind the same address', async (t) => {
  const { app, key } = await setupApp(t, { AUTH_FAILURES_PER_MINUTE: '20' });
  const valid = await key('auditor');
  const keyId = valid.split('_')[1]!;
  const wrong = `Bearer dbn_${keyId}_${'A'.repeat(43)}`;
  for (let i = 0; i < 21; i++) t.equal((await getJson(app, '/v1/agencies?limit=1', wrong)).status, 401);
  const refused = await getJson(app, '/v1/agencies?limit=1', wrong);
  t.equal(refused.status, 429, 'the 22nd guess at that key id is refused');
  t.ok(refused.headers['retry-after']);
  t.equal((await getJson(app, '/v1/agencies?limit=1', await key('agency', 'tj-hrss-bureau'))).status, 200, 'another key from the same address works');
  t.equal((await getJson(app, '/v1/agencies?limit=1', 'Bearer nonsense')).status, 401, 'a malformed header is counted on its own');
});

t.test('an address trying one key id after another is cut off at the per-address limit', async (t) => {
  const { app, key } = await setupApp(t, { AUTH_FAILURES_PER_MINUTE: '20', AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '10' });
  const valid = await key('auditor');
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const id = `zz${String(i).padStart(10, '0')}`;
    statuses.push((await getJson(app, '/v1/agencies?limit=1', `Bearer dbn_${id}_${'A'.repeat(43)}`)).status);
  }
  t.same(statuses, [...Array(10).fill(401), 401, 429]);
  const refused = await getJson(app, '/v1/agencies?limit=1', valid);
  t.equal(refused.status, 429, 'past the per-address limit the address is refused');
  t.ok(refused.headers['retry-after']);
});

t.test('a key over its request budget gets 429 with Retry-After', async (t) => {
  const { app, key } = await setupApp(t, { RATE_LIMIT_PER_MINUTE: '3' });
  const auditor = await key('auditor');
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < 4; i++) {
    last = await getJson(app, '/v1/agencies?limit=1', auditor);
    statuses.push(last.status);
  }
  t.same(statuses, [200, 200, 200, 429]);
  t.ok(last!.headers['retry-after']);
  t.match(last!.body, { code: 'rate_limited', status: 429 });
});

t.test('the bearer scheme name is case-insensitive (RFC 9110 §11.1)', async (t) => {
  const { app, key } = await setupApp(t);
  const secret = (await key('auditor')).slice('Bearer '.length);
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) t.equal((await getJson(app, '/v1/me', `${scheme} ${secret}`)).status, 200, scheme);
  t.equal((await getJson(app, '/v1/me', `Basic ${secret}`)).status, 401);
});

t.test('security headers are set', async (t) => {
  const { app } = await setupApp(t);
  const { headers } = await getJson(app, '/healthz', null);
  t.equal(headers['x-content-type-options'], 'nosniff');
  t.match(headers['content-security-policy'], /default-src 'none'/);
  t.notOk(headers['access-control-allow-origin'], 'no CORS unless configured');
});

t.test('keys never reach the logs', async (t) => {
  const log = captureLog();
  const database = await createTestDatabase();
  const app = await buildApp({ config: loadConfig({}), db: database.handle.db, clock: () => new Date(), logger: { level: 'trace', stream: log.stream } });
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const admin = await app.inject({ method: 'GET', url: '/v1/tasks', headers: { authorization: 'Bearer dbn_aaaaaaaaaaaa_SECRETSECRETSECRETSECRETSECRETSECRETSECRETSEC' } });
  t.equal(admin.statusCode, 401);
  t.ok(log.text().length > 0, 'something was logged');
  t.notMatch(log.text(), /SECRETSECRET/);
});
