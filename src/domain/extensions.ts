import type { TaskStatus } from '../db/schema/index.js';
import { DomainError, ForbiddenError, InvalidInputError } from './errors.js';
import type { Principal, Relation } from './permissions.js';
import { DONE_STATUSES, utcDate } from './task-state.js';

/** A list's rule for a request made once the due date has passed: accepted and marked late, or refused. */
export type LateRequestPolicy = 'mark_late' | 'refuse';
export type ExtensionDecision = 'approved' | 'refused';

export interface ExtensionTask {
  status: TaskStatus;
  dueDate: string | null;
}

/**
 * Whether the lead unit may ask for this due date now (延期申请), and whether the request is late:
 * made after the due date in force has passed. A task that is done, has no due date, or already
 * has a request pending cannot take one; a late request is refused where the list says so.
 */
export function planExtensionRequest(
  principal: Principal,
  relation: Relation,
  task: ExtensionTask,
  request: { requestedDueDate: string; pending: boolean; policy: LateRequestPolicy; now: Date },
): { late: boolean; dueDate: string } {
  if (principal.role !== 'agency' || relation !== 'lead') {
    throw new ForbiddenError('The lead unit (牵头单位) of the task asks for an extension; the supervising office decides on it.');
  }
  if (DONE_STATUSES.includes(task.status)) throw new DomainError('extension_not_open', `The task is ${task.status}: there is nothing left to extend.`);
  if (task.dueDate === null) throw new DomainError('extension_not_open', 'The task has no due date to extend.');
  if (request.pending) throw new DomainError('extension_pending', 'An extension request for this task is pending; the supervising office decides on it before another can be made.');
  if (request.requestedDueDate <= task.dueDate) {
    throw new InvalidInputError('An extension asks for a due date after the one in force.', [
      { location: 'body', path: 'requestedDueDate', message: `must be after ${task.dueDate}` },
    ]);
  }
  const late = task.dueDate < utcDate(request.now);
  if (late && request.policy === 'refuse') {
    throw new DomainError('extension_not_open', `The due date (${task.dueDate}) has passed, and this list takes no extension requests after it.`);
  }
  return { late, dueDate: task.dueDate };
}

/**
 * The supervising office's decision on a pending request: approving moves the due date in force to
 * the date asked for, or another the office gives (after the one in force); refusing needs a note
 * saying why, as the unit must learn it.
 */
export function planExtensionDecision(
  principal: Principal,
  request: { status: 'pending' | 'approved' | 'refused'; requestedDueDate: string },
  task: ExtensionTask,
  decision: { decision: ExtensionDecision; dueDate?: string | undefined; note?: string | undefined },
): { dueDate: string | null } {
  if (principal.role !== 'supervisor') throw new ForbiddenError('The supervising office decides on extension requests.');
  if (request.status !== 'pending') throw new DomainError('extension_decided', `The request was ${request.status} already.`, { requestStatus: request.status });
  if (decision.decision === 'refused') {
    if (decision.dueDate !== undefined) {
      throw new InvalidInputError('A refusal keeps the due date in force.', [{ location: 'body', path: 'dueDate', message: 'only with decision approved' }]);
    }
    if (!decision.note) throw new InvalidInputError('A refusal needs a note saying why.', [{ location: 'body', path: 'note', message: 'required when refusing' }]);
    return { dueDate: null };
  }
  const dueDate = decision.dueDate ?? request.requestedDueDate;
  if (task.dueDate !== null && dueDate <= task.dueDate) {
    throw new InvalidInputError('An approved extension moves the due date later than the one in force.', [
      { location: 'body', path: decision.dueDate === undefined ? 'decision' : 'dueDate', message: `${dueDate} is not after ${task.dueDate}` },
    ]);
  }
  return { dueDate };
}
