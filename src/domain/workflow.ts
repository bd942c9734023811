import type { TaskStatus } from '../db/schema/index.js';
import { DomainError, ForbiddenError, InvalidInputError } from './errors.js';
import { type AssignmentState, URGED_FIELD } from './ledger.js';
import type { Principal, Relation } from './permissions.js';

export type EventType =
  | 'created'
  | 'status_changed'
  | 'completion_withdrawn'
  | 'verified'
  | 'completion_rejected'
  | 'reopened'
  | 'progress_updated'
  | 'due_date_set'
  | 'progress_reported'
  | 'extension_requested'
  | 'extension_approved'
  | 'extension_refused'
  | 'assignment_acknowledged'
  | 'urged';

export interface TaskFields {
  status: TaskStatus;
  progress: number;
  dueDate: string | null;
}

export interface TaskPatch {
  status?: TaskStatus | undefined;
  progress?: number | undefined;
  dueDate?: string | null | undefined;
  note?: string | undefined;
}

export type FieldChanges = Partial<{ [K in keyof TaskFields]: { from: TaskFields[K]; to: TaskFields[K] } }>;

export interface PlannedChange {
  type: EventType;
  changes: FieldChanges;
  note: string | null;
}

const AGENCY_STATUSES: readonly TaskStatus[] = ['not_started', 'in_progress', 'delayed', 'completed'];

/**
 * The supervisor's transitions (销号 and its undoing); rejecting a completion and reopening a
 * verified task need a note, so the agency learns why.
 */
const SUPERVISOR_TRANSITIONS: Record<string, { type: EventType; noteRequired: boolean }> = {
  'completed→verified': { type: 'verified', noteRequired: false },
  'completed→in_progress': { type: 'completion_rejected', noteRequired: true },
  'verified→in_progress': { type: 'reopened', noteRequired: true },
};

/** The statuses an actor may move a task to from its current status. */
export function allowedTransitions(role: 'lead' | 'supervisor', from: TaskStatus): TaskStatus[] {
  if (role === 'lead') return AGENCY_STATUSES.includes(from) ? AGENCY_STATUSES.filter((s) => s !== from) : [];
  return Object.keys(SUPERVISOR_TRANSITIONS)
    .filter((key) => key.startsWith(`${from}→`))
    .map((key) => key.split('→')[1] as TaskStatus);
}

/**
 * Decides what a PATCH may do (DESIGN.md, "Status workflow"): the lead agency moves its task
 * among not_started / in_progress / delayed / completed and sets progress; co agencies report
 * through progress reports only; the supervisor verifies, rejects a completion, reopens, and
 * alone sets due dates; admins and auditors change no task. Returns the field changes and the
 * event type, or throws the reason it may not.
 */
export function planTaskUpdate(principal: Principal, relation: Relation, task: TaskFields, patch: TaskPatch): PlannedChange {
  const note = patch.note ?? null;
  if (principal.role === 'agency') return planAgencyUpdate(relation, task, patch, note);
  if (principal.role === 'supervisor') return planSupervisorUpdate(task, patch, note);
  throw new ForbiddenError(`A key with role ${principal.role} cannot change tasks.`);
}

function planAgencyUpdate(relation: Relation, task: TaskFields, patch: TaskPatch, note: string | null): PlannedChange {
  if (relation === 'none') throw new ForbiddenError('This task is not assigned to your agency.');
  if (relation === 'co') {
    throw new ForbiddenError(
      'Only the lead agency changes status and the task’s progress; co-operating agencies post progress reports (POST /v1/tasks/{id}/reports), whose progress is their own share’s.',
    );
  }
  if (patch.dueDate !== undefined) throw new ForbiddenError('Due dates are set by the supervising office, not by agencies.');
  assertOpenToAgencies(task);
  const changes: FieldChanges = {};
  let type: EventType = 'progress_updated';
  if (patch.status !== undefined && patch.status !== task.status) {
    if (!AGENCY_STATUSES.includes(patch.status)) {
      const allowed = allowedTransitions('lead', task.status);
      throw new DomainError('invalid_transition', `Only the supervising office verifies a task (已销号); the lead agency may move it to: ${allowed.join(', ')}.`, {
        currentStatus: task.status,
        allowedStatuses: allowed,
      });
    }
    changes.status = { from: task.status, to: patch.status };
    type = task.status === 'completed' ? 'completion_withdrawn' : 'status_changed';
  }
  if (patch.progress !== undefined && patch.progress !== task.progress) changes.progress = { from: task.progress, to: patch.progress };
  return { type, changes, note };
}

function planSupervisorUpdate(task: TaskFields, patch: TaskPatch, note: string | null): PlannedChange {
  if (patch.progress !== undefined && patch.progress !== task.progress) {
    throw new ForbiddenError('Progress is reported by the responsible agencies, not set by the supervising office.');
  }
  const changes: FieldChanges = {};
  let type: EventType = 'due_date_set';
  if (patch.status !== undefined && patch.status !== task.status) {
    const transition = SUPERVISOR_TRANSITIONS[`${task.status}→${patch.status}`];
    if (!transition) {
      const allowed = allowedTransitions('supervisor', task.status);
      throw new DomainError(
        'invalid_transition',
        `The supervising office cannot move a task from ${task.status} to ${patch.status}; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'no status change is open to it from here'}.`,
        { currentStatus: task.status, allowedStatuses: allowed },
      );
    }
    if (transition.noteRequired && !note) {
      throw new InvalidInputError(`A ${transition.type.replace('_', ' ')} needs a note saying why.`, [
        { location: 'body', path: 'note', message: `required when moving from ${task.status} to ${patch.status}` },
      ]);
    }
    changes.status = { from: task.status, to: patch.status };
    type = transition.type;
  }
  if (patch.dueDate !== undefined && patch.dueDate !== task.dueDate) changes.dueDate = { from: task.dueDate, to: patch.dueDate };
  return { type, changes, note };
}

export function assertOpenToAgencies(task: Pick<TaskFields, 'status'>) {
  if (task.status === 'verified') {
    throw new DomainError('task_locked', 'The task is verified (已销号) and read-only to agencies; the supervising office can reopen it.');
  }
}

export interface PlannedReport {
  changes: FieldChanges;
  /** The task's assignments after the report, all of them, in order. */
  assignments: AssignmentState[];
}

/**
 * What a progress report changes. The task's progress is the lead's (DESIGN.md, "Status
 * workflow"), so a lead's report sets it; a co unit's report sets the progress of its own share,
 * on the assignment it reports under (permissions.actingAssignment), and never the task's.
 */
export function planProgressReport(task: TaskFields, assignments: readonly AssignmentState[], share: AssignmentState, progress: number | undefined): PlannedReport {
  assertOpenToAgencies(task);
  if (share.role === 'lead') {
    return { changes: progress !== undefined && progress !== task.progress ? { progress: { from: task.progress, to: progress } } : {}, assignments: [...assignments] };
  }
  return {
    changes: {},
    assignments: assignments.map((a) => (a.agencyId === share.agencyId && progress !== undefined ? { ...a, progress } : a)),
  };
}

export interface PlannedUrge {
  type: 'urged';
  changes: { [URGED_FIELD]: { from: null; to: string } };
  note: string;
}

/**
 * 催办: the supervising office urges one of a task's units, the lead unless it names another, with
 * a note saying what it expects. Recorded as a ledger event whose changes name the unit urged.
 */
export function planUrge(principal: Principal, assignments: readonly AssignmentState[], note: string, agencyId: string | undefined): PlannedUrge {
  if (principal.role !== 'supervisor') throw new ForbiddenError('Only the supervising office urges a unit (催办).');
  const target = agencyId ?? assignments.find((a) => a.role === 'lead')?.agencyId;
  if (target === undefined) {
    throw new InvalidInputError('This task has no responsible unit to urge.', [{ location: 'body', path: 'agencyId', message: 'the task has no assignments' }]);
  }
  if (!assignments.some((a) => a.agencyId === target)) {
    throw new InvalidInputError(`${target} is not responsible for this task; urge one of its units.`, [
      { location: 'body', path: 'agencyId', message: `not assigned to this task (its units: ${assignments.map((a) => a.agencyId).join(', ')})` },
    ]);
  }
  return { type: 'urged', changes: { [URGED_FIELD]: { from: null, to: target } }, note };
}
