import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { planExtensionDecision, planExtensionRequest } from '../../src/domain/extensions.js';
import type { Principal } from '../../src/domain/permissions.js';

const lead: Principal = { keyId: 'k1', role: 'agency', agencyId: 'tj-education-commission' };
const supervisor: Principal = { keyId: 'k2', role: 'supervisor', agencyId: null };
const open = { status: 'in_progress' as const, dueDate: '2026-03-31' };
const asked = (overrides: Partial<Parameters<typeof planExtensionRequest>[3]> = {}) => ({
  requestedDueDate: '2026-05-31',
  pending: false,
  policy: 'mark_late' as const,
  now: new Date('2026-03-10T09:00:00Z'),
  ...overrides,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
};

t.test('who may ask, and for what', async (t) => {
  t.same(planExtensionRequest(lead, 'lead', open, asked()), { late: false, dueDate: '2026-03-31' });
  t.equal(codeOf(() => planExtensionRequest(lead, 'co', open, asked())), 'forbidden', 'a co unit does not ask');
  t.equal(codeOf(() => planExtensionRequest(lead, 'none', open, asked())), 'forbidden');
  t.equal(codeOf(() => planExtensionRequest(supervisor, 'none', open, asked())), 'forbidden', 'the office decides, it does not ask');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', { status: 'completed', dueDate: '2026-03-31' }, asked())), 'extension_not_open');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', { status: 'verified', dueDate: '2026-03-31' }, asked())), 'extension_not_open');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', { status: 'in_progress', dueDate: null }, asked())), 'extension_not_open');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', open, asked({ pending: true }))), 'extension_pending');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', open, asked({ requestedDueDate: '2026-03-31' }))), 'validation_failed', 'the same date is no extension');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', open, asked({ requestedDueDate: '2026-03-01' }))), 'validation_failed');
});

t.test('late: after the due date, by the list’s policy', async (t) => {
  t.same(planExtensionRequest(lead, 'lead', open, asked({ now: new Date('2026-03-31T23:59:59Z') })), { late: false, dueDate: '2026-03-31' }, 'the due date itself is in time');
  t.same(planExtensionRequest(lead, 'lead', open, asked({ now: new Date('2026-04-01T00:00:00Z') })), { late: true, dueDate: '2026-03-31' }, 'the day after is late, and marked');
  t.equal(codeOf(() => planExtensionRequest(lead, 'lead', open, asked({ now: new Date('2026-04-01T00:00:00Z'), policy: 'refuse' }))), 'extension_not_open');
  t.same(planExtensionRequest(lead, 'lead', open, asked({ policy: 'refuse' })), { late: false, dueDate: '2026-03-31' }, 'a refusing list still takes requests in time');
});

t.test('the office decides', async (t) => {
  const pending = { status: 'pending' as const, requestedDueDate: '2026-05-31' };
  t.same(planExtensionDecision(supervisor, pending, open, { decision: 'approved' }), { dueDate: '2026-05-31' }, 'the date asked for');
  t.same(planExtensionDecision(supervisor, pending, open, { decision: 'approved', dueDate: '2026-04-30' }), { dueDate: '2026-04-30' }, 'or another');
  t.equal(codeOf(() => planExtensionDecision(supervisor, pending, open, { decision: 'approved', dueDate: '2026-03-31' })), 'validation_failed', 'not the due date in force');
  t.equal(
    codeOf(() => planExtensionDecision(supervisor, pending, { status: 'in_progress', dueDate: '2026-06-30' }, { decision: 'approved' })),
    'validation_failed',
    'the date asked for is no longer later than the one in force',
  );
  t.same(planExtensionDecision(supervisor, pending, open, { decision: 'refused', note: '理由不充分' }), { dueDate: null });
  t.equal(codeOf(() => planExtensionDecision(supervisor, pending, open, { decision: 'refused' })), 'validation_failed', 'a refusal says why');
  t.equal(codeOf(() => planExtensionDecision(supervisor, pending, open, { decision: 'refused', note: '否', dueDate: '2026-05-01' })), 'validation_failed');
  t.equal(codeOf(() => planExtensionDecision(lead, pending, open, { decision: 'approved' })), 'forbidden', 'units do not decide');
  t.equal(codeOf(() => planExtensionDecision(supervisor, { status: 'approved', requestedDueDate: '2026-05-31' }, open, { decision: 'refused', note: 'x' })), 'extension_decided');
});
