import t from 'tap';
import type { KeyRole } from '../../src/db/schema/index.js';
import { setupApp } from '../helpers/app.js';

/**
 * Every mutating route, tried with every role and with an agency key of the wrong agency. Each
 * attempt starts from the task's current version, so only authorisation decides the outcome.
 */
type Caller = Exclude<KeyRole, 'agency'> | 'lead-agency' | 'co-agency' | 'wrong-agency' | 'no-key';

const callers: Caller[] = ['no-key', 'admin', 'supervisor', 'auditor', 'lead-agency', 'co-agency', 'wrong-agency'];

// Task 42: 市教委 leads, 市人社局 co-operates; 市司法局 has nothing to do with it.
const agencyOf = { 'lead-agency': 'tj-education-commission', 'co-agency': 'tj-hrss-bureau', 'wrong-agency': 'tj-justice-bureau' } as const;

const expectations: { route: string; expected: Record<Caller, number>; request: (version: number) => { method: 'PATCH' | 'POST' | 'DELETE'; url: string; payload?: object; ifMatch?: boolean } }[] = [
  {
    route: 'PATCH /v1/tasks/{id} status',
    request: () => ({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-42', payload: { status: 'in_progress' }, ifMatch: true }),
    expected: { 'no-key': 401, admin: 403, supervisor: 409, auditor: 403, 'lead-agency': 200, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'PATCH /v1/tasks/{id} dueDate',
    request: () => ({ method: 'PATCH', url: '/v1/tasks/tj-2021-annex2-42', payload: { dueDate: '2026-12-31' }, ifMatch: true }),
    expected: { 'no-key': 401, admin: 403, supervisor: 200, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/tasks/{id}/reports',
    request: () => ({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-42/reports', payload: { note: '进展' } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 403, auditor: 403, 'lead-agency': 201, 'co-agency': 201, 'wrong-agency': 403 },
  },
  {
    // Atomic, so an item the caller may not apply fails the batch: 422 batch_failed, its problem a 403.
    route: 'POST /v1/tasks:batch progress',
    request: (version) => ({ method: 'POST', url: '/v1/tasks:batch', payload: { items: [{ op: 'update', taskId: 'tj-2021-annex2-42', ifMatch: `"${version}"`, changes: { progress: 50 } }] } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 422, auditor: 403, 'lead-agency': 200, 'co-agency': 422, 'wrong-agency': 422 },
  },
  {
    route: 'POST /v1/tasks:batch report',
    request: () => ({ method: 'POST', url: '/v1/tasks:batch', payload: { items: [{ op: 'report', taskId: 'tj-2021-annex2-42', report: { note: '进展' } }] } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 422, auditor: 403, 'lead-agency': 200, 'co-agency': 200, 'wrong-agency': 422 },
  },
  {
    // Task 42 has the due date the supervisor set above.
    route: 'POST /v1/tasks/{id}/extension-requests',
    request: () => ({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-42/extension-requests', payload: { requestedDueDate: '2027-03-31', reason: '延期' } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 403, auditor: 403, 'lead-agency': 201, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/tasks/{id}/receipt',
    request: () => ({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-42/receipt' }),
    expected: { 'no-key': 401, admin: 403, supervisor: 403, auditor: 403, 'lead-agency': 201, 'co-agency': 201, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/extension-requests/{id}/decision',
    request: () => ({ method: 'POST', url: '/v1/extension-requests/0123456789abcdef/decision', payload: { decision: 'approved' } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 404, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/tasks/{id}/urge',
    request: () => ({ method: 'POST', url: '/v1/tasks/tj-2021-annex2-42/urge', payload: { note: '请加快推进' } }),
    expected: { 'no-key': 401, admin: 403, supervisor: 201, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/webhooks',
    request: () => ({ method: 'POST', url: '/v1/webhooks', payload: { url: 'https://hooks.example.org/duban' } }),
    expected: { 'no-key': 401, admin: 201, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'PATCH /v1/webhooks/{id}',
    request: () => ({ method: 'PATCH', url: '/v1/webhooks/0123456789abcdef', payload: { status: 'disabled' } }),
    expected: { 'no-key': 401, admin: 404, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'DELETE /v1/webhooks/{id}',
    request: () => ({ method: 'DELETE', url: '/v1/webhooks/0123456789abcdef' }),
    expected: { 'no-key': 401, admin: 404, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    request: () => ({ method: 'POST', url: '/v1/webhooks/0123456789abcdef/deliveries/1/redeliver' }),
    expected: { 'no-key': 401, admin: 404, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'POST /v1/api-keys',
    request: () => ({ method: 'POST', url: '/v1/api-keys', payload: { role: 'auditor', label: 'matrix' } }),
    expected: { 'no-key': 401, admin: 201, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
  {
    route: 'DELETE /v1/api-keys/{id}',
    request: () => ({ method: 'DELETE', url: '/v1/api-keys/zzzzzzzzzzzz' }),
    expected: { 'no-key': 401, admin: 404, supervisor: 403, auditor: 403, 'lead-agency': 403, 'co-agency': 403, 'wrong-agency': 403 },
  },
];

t.test('role × mutating route', async (t) => {
  const { app, key } = await setupApp(t);
  const keys = new Map<Caller, string | null>([['no-key', null]]);
  for (const caller of callers) {
    if (caller === 'no-key') continue;
    keys.set(caller, caller in agencyOf ? await key('agency', agencyOf[caller as keyof typeof agencyOf]) : await key(caller as KeyRole));
  }
  for (const { route, request, expected } of expectations) {
    for (const caller of callers) {
      const current = await app.inject({ method: 'GET', url: '/v1/tasks/tj-2021-annex2-42', headers: { authorization: keys.get('auditor')! } });
      const { method, url, payload, ifMatch } = request(current.json().version);
      const headers: Record<string, string> = {};
      const authorization = keys.get(caller);
      if (authorization) headers.authorization = authorization;
      if (ifMatch) headers['if-match'] = current.headers.etag as string;
      const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      t.equal(response.statusCode, expected[caller], `${route} as ${caller}`);
      if (response.statusCode >= 400) t.match(response.headers['content-type'], /^application\/problem\+json/);
      if (response.statusCode === 422) t.match(response.json(), { code: 'batch_failed', failedItem: { problem: { status: 403 } } }, `${route} as ${caller}: the item was forbidden`);
    }
  }
});
