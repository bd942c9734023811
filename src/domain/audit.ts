import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH, hashEntry, type LedgerEntry, recordedState, type TaskState } from './ledger.js';

export interface ChainHead {
  taskId: string;
  seq: number;
  hash: string;
}

/**
 * The ledger root at a position: sha256 of the RFC 8785 JSON of { position, heads }, heads being
 * each task's last event at or before that position as [taskId, seq, hash], sorted by taskId.
 * Recording it lets an auditor later prove that the history up to that position is unchanged.
 */
export function ledgerRoot(position: number, heads: readonly ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0)).map((h) => [h.taskId, h.seq, h.hash]);
  return createHash('sha256')
    .update(canonicalize({ position, heads: sorted }) ?? '')
    .digest('hex');
}

export const CHAIN_PROBLEM_KINDS = ['hash_mismatch', 'broken_link', 'seq_gap', 'position_mismatch', 'version_mismatch', 'state_mismatch', 'missing_events'] as const;
export type ChainProblemKind = (typeof CHAIN_PROBLEM_KINDS)[number];

export interface ChainProblem {
  kind: ChainProblemKind;
  taskId: string | null;
  eventId: number | null;
  seq: number | null;
  detail: string;
}

export interface StoredEvent {
  id: number;
  entry: LedgerEntry;
  hash: string;
}

/**
 * Re-checks one task's chain, events in seq order: each hash recomputes, each prevHash is the
 * hash before it, seqs run 1, 2, 3 …, the task's version equals the number of events, and the
 * task (its row and, from hash version 2, its assignments) holds the state its last event recorded.
 * Ledger positions rise with seq and the task row names its last event's position: hash version 2
 * covers positions itself, and these checks catch positions moved among version 1 events too.
 */
export function checkChain(taskId: string, events: readonly StoredEvent[], task: { version: number; lastEventId: number; state: TaskState } | null): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let previousHash = GENESIS_HASH;
  let previousId = 0;
  events.forEach((event, index) => {
    const at = { taskId, eventId: event.id, seq: event.entry.seq };
    if (event.entry.seq !== index + 1) problems.push({ kind: 'seq_gap', ...at, detail: `expected seq ${index + 1}, found ${event.entry.seq}` });
    if (event.id <= previousId) problems.push({ kind: 'position_mismatch', ...at, detail: `ledger position ${event.id} is not after the position of the event before it (${previousId})` });
    previousId = event.id;
    if (event.entry.prevHash !== previousHash) problems.push({ kind: 'broken_link', ...at, detail: 'prevHash is not the hash of the event before it' });
    if (hashEntry(event.entry) !== event.hash) problems.push({ kind: 'hash_mismatch', ...at, detail: 'the stored hash does not match the event’s content' });
    previousHash = event.hash;
  });
  if (task === null) return problems;
  if (task.version !== events.length) {
    problems.push({ kind: 'version_mismatch', taskId, eventId: null, seq: null, detail: `the task is at version ${task.version} but its chain has ${events.length} event(s)` });
  }
  const last = events.at(-1);
  if (last && task.lastEventId !== last.id) {
    problems.push({ kind: 'position_mismatch', taskId, eventId: last.id, seq: last.entry.seq, detail: `the task row names position ${task.lastEventId} as its latest event, its chain ends at ${last.id}` });
  }
  if (last && canonicalize(last.entry.state) !== canonicalize(recordedState(last.entry.hashVersion, task.state))) {
    problems.push({ kind: 'state_mismatch', taskId, eventId: last.id, seq: last.entry.seq, detail: 'the task row or its assignments differ from the state its last event recorded' });
  }
  return problems;
}
