import type { TaskStatus } from '../db/schema/index.js';

export interface RollupChild {
  status: TaskStatus;
  progress: number;
  weight: number;
}

/**
 * A parent's status and progress while it has children (README, "Task hierarchy"): progress is the
 * children's, weighted (weights default 1) and rounded; the status is verified when every child is,
 * completed when every child is done, delayed when any child is, not_started while none has
 * started, in_progress otherwise.
 */
export function rollUp(children: readonly RollupChild[]): { status: TaskStatus; progress: number } {
  if (children.length === 0) throw new RangeError('a roll-up needs at least one child');
  const totalWeight = children.reduce((sum, child) => sum + child.weight, 0);
  const progress = Math.round(children.reduce((sum, child) => sum + child.weight * child.progress, 0) / totalWeight);
  const every = (test: (status: TaskStatus) => boolean) => children.every((child) => test(child.status));
  let status: TaskStatus;
  if (every((s) => s === 'verified')) status = 'verified';
  else if (every((s) => s === 'completed' || s === 'verified')) status = 'completed';
  else if (children.some((child) => child.status === 'delayed')) status = 'delayed';
  else if (every((s) => s === 'not_started')) status = 'not_started';
  else status = 'in_progress';
  return { status, progress: Math.min(100, Math.max(0, progress)) };
}
