import t from 'tap';
import type { DomainError } from '../../src/domain/errors.js';
import { actingAssignment, relationToTask, type Principal } from '../../src/domain/permissions.js';
import { allowedTransitions, planProgressReport, planTaskUpdate, type TaskFields } from '../../src/domain/workflow.js';

const agency: Principal = { keyId: 'k', role: 'agency', agencyId: 'a' };
const supervisor: Principal = { keyId: 's', role: 'supervisor', agencyId: null };
const open: TaskFields = { status: 'in_progress', progress: 40, dueDate: '2026-06-30' };

t.test('relation: direct, through a group, lead wins over co', async (t) => {
  const assignments = [
    { agencyId: 'lead-unit', role: 'lead' as const },
    { agencyId: 'districts', role: 'co' as const },
  ];
  t.equal(relationToTask('lead-unit', assignments, []), 'lead');
  t.equal(relationToTask('heping', assignments, ['districts']), 'co');
  t.equal(relationToTask('other', assignments, []), 'none');
  t.equal(relationToTask(null, assignments, []), 'none');
  t.equal(relationToTask('heping', [{ agencyId: 'districts', role: 'lead' }], ['districts']), 'lead');
});

t.test('the assignment an agency reports under: its lead, else its own, else its group’s', async (t) => {
  const assignments = [
    { agencyId: 'lead-unit', role: 'lead' as const },
    { agencyId: 'districts', role: 'co' as const },
    { agencyId: 'heping', role: 'co' as const },
  ];
  t.equal(actingAssignment('heping', assignments, ['districts'])?.agencyId, 'heping', 'its own assignment before its group’s');
  t.equal(actingAssignment('hexi', assignments, ['districts'])?.agencyId, 'districts', 'a district acts for 各区人民政府');
  t.equal(actingAssignment('lead-unit', assignments, ['districts'])?.agencyId, 'lead-unit');
  t.equal(actingAssignment('other', assignments, []), null);
});

t.test('a report’s progress: the task’s from the lead, the reporter’s own share from a co unit', async (t) => {
  const assignments = [
    { agencyId: 'lead-unit', role: 'lead' as const, position: 1, progress: null },
    { agencyId: 'co-unit', role: 'co' as const, position: 2, progress: null },
    { agencyId: 'districts', role: 'co' as const, position: 3, progress: 10 },
  ];
  const [lead, co, districts] = assignments;
  t.same(planProgressReport(open, assignments, lead!, 60), { changes: { progress: { from: 40, to: 60 } }, assignments });
  t.same(planProgressReport(open, assignments, co!, 30), {
    changes: {},
    assignments: [lead, { ...co, progress: 30 }, districts],
  });
  t.same(planProgressReport(open, assignments, districts!, 20).assignments.map((a) => a.progress), [null, null, 20]);
  t.same(planProgressReport(open, assignments, co!, undefined), { changes: {}, assignments }, 'a report without progress changes no progress');
  t.throws(() => planProgressReport({ ...open, status: 'verified' }, assignments, co!, 30), { code: 'task_locked' });
});

t.test('the lead agency moves among the four working statuses and sets progress', async (t) => {
  t.same(planTaskUpdate(agency, 'lead', open, { status: 'completed', progress: 100 }), {
    type: 'status_changed',
    changes: { status: { from: 'in_progress', to: 'completed' }, progress: { from: 40, to: 100 } },
    note: null,
  });
  t.equal(planTaskUpdate(agency, 'lead', { ...open, status: 'completed' }, { status: 'in_progress' }).type, 'completion_withdrawn');
  t.equal(planTaskUpdate(agency, 'lead', open, { progress: 50, note: 'half' }).type, 'progress_updated');
  t.same(planTaskUpdate(agency, 'lead', open, { status: 'in_progress', progress: 40 }).changes, {}, 'no change, no changes');
  t.same(allowedTransitions('lead', 'delayed'), ['not_started', 'in_progress', 'completed']);
});

t.test('the lead agency cannot verify, set due dates, or touch a verified task', async (t) => {
  t.throws(() => planTaskUpdate(agency, 'lead', { ...open, status: 'completed' }, { status: 'verified' }), { code: 'invalid_transition', extensions: { allowedStatuses: ['not_started', 'in_progress', 'delayed'] } });
  t.throws(() => planTaskUpdate(agency, 'lead', open, { dueDate: '2027-01-01' }), { code: 'forbidden' });
  t.throws(() => planTaskUpdate(agency, 'lead', { ...open, status: 'verified' }, { progress: 100 }), { code: 'task_locked' });
});

t.test('co agencies and strangers change nothing through PATCH', async (t) => {
  t.throws(() => planTaskUpdate(agency, 'co', open, { progress: 50 }), { code: 'forbidden' });
  t.throws(() => planTaskUpdate(agency, 'none', open, { status: 'delayed' }), { code: 'forbidden' });
});

t.test('the supervisor verifies, rejects with a note, reopens with a note, sets due dates', async (t) => {
  const completed = { ...open, status: 'completed' as const };
  t.equal(planTaskUpdate(supervisor, 'none', completed, { status: 'verified' }).type, 'verified');
  t.throws(() => planTaskUpdate(supervisor, 'none', completed, { status: 'in_progress' }), { code: 'validation_failed', errors: [{ path: 'note' }] }, 'rejection needs a note');
  t.equal(planTaskUpdate(supervisor, 'none', completed, { status: 'in_progress', note: 'evidence missing' }).type, 'completion_rejected');
  t.equal(planTaskUpdate(supervisor, 'none', { ...open, status: 'verified' }, { status: 'in_progress', note: 'audit finding' }).type, 'reopened');
  t.same(planTaskUpdate(supervisor, 'none', open, { dueDate: '2026-12-31' }), { type: 'due_date_set', changes: { dueDate: { from: '2026-06-30', to: '2026-12-31' } }, note: null });
  t.same(planTaskUpdate(supervisor, 'none', open, { dueDate: null }).changes, { dueDate: { from: '2026-06-30', to: null } });
  const error = (() => {
    try {
      planTaskUpdate(supervisor, 'none', open, { status: 'verified' });
    } catch (e) {
      return e as DomainError;
    }
  })();
  t.match(error, { code: 'invalid_transition', extensions: { currentStatus: 'in_progress', allowedStatuses: [] } }, 'only a completed task can be verified');
  t.throws(() => planTaskUpdate(supervisor, 'none', open, { progress: 90 }), { code: 'forbidden' });
});

t.test('admins, auditors and anonymous callers change no task', async (t) => {
  for (const role of ['admin', 'auditor', 'public'] as const) {
    t.throws(() => planTaskUpdate({ keyId: null, role, agencyId: null }, 'none', open, { status: 'delayed' }), { code: 'forbidden' }, role);
  }
});
