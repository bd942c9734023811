import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';

/** prevHash of the first event of every task chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash recipes, by version (README, "The ledger"). Events keep the version they were hashed
 * with, so chains written before version 2 still verify; every new event is hashed with the latest.
 * 1: the event without id and hash; the state without assignments.
 * 2: the event without hash, so its ledger position (id) too; the state with the assignments.
 */
export const hashVersionSchema = z.literal([1, 2]);
export const HASH_VERSION = 2;

export const actorSchema = z.object({
  keyId: z.string().nullable(),
  agencyId: z.string().nullable(),
  role: z.enum(['system', 'admin', 'supervisor', 'agency', 'auditor']),
});

const fieldChange = z.object({ from: z.unknown(), to: z.unknown() });

/** One responsible unit of a task as the ledger records it: who, lead or co, where in the cell, its share's progress. */
export const assignmentStateSchema = z.object({
  agencyId: z.string(),
  role: z.enum(['lead', 'co']),
  position: z.number().int().min(1),
  progress: z.number().int().min(0).max(100).nullable(),
});

/**
 * The task's tracked fields after the event. Carried (and hashed) in every event so that the
 * state as of any moment is one lookup of the last event before it, not a replay. Events of hash
 * version 1 predate assignments in the state and lack them.
 */
export const taskStateSchema = z.object({
  status: z.enum(['not_started', 'in_progress', 'delayed', 'completed', 'verified']),
  progress: z.number().int().min(0).max(100),
  dueDate: z.iso.date().nullable().describe('The due date in force.'),
  originalDueDate: z.iso
    .date()
    .optional()
    .describe('The due date before the first approved extension request; only once one was approved.'),
  lastReportAt: z.iso.datetime().nullable(),
  assignments: z.array(assignmentStateSchema).optional(),
  indicators: z
    .record(z.string(), z.number().nullable())
    .optional()
    .describe('Each indicator’s latest reported value by key (null: none yet); only on tasks that have indicators.'),
});

/**
 * What an import may change on a task besides its state (a revised text, a move to another
 * parent, a new window); a `revised` event records them in changes under these keys.
 */
export const revisedFields = [
  'parentId',
  'number',
  'label',
  'title',
  'text',
  'articleId',
  'responsibleText',
  'weight',
  'plannedStart',
  'plannedEnd',
  'indicatorDefinitions',
] as const;

/** The key under which an urged event's changes name the unit urged (催办): { from: null, to: agencyId }. */
export const URGED_FIELD = 'urgedAgencyId';

/**
 * What the supervision routine's events record besides the state: the date an extension request
 * asks for; the assignment (its agency) a receipt acknowledges; the unit an urge names.
 */
export const routineFields = ['requestedDueDate', 'acknowledged', URGED_FIELD] as const;

/** What an event says, without its own hash; hashedContent says which part of it a version covers. */
export const ledgerEntrySchema = z.object({
  id: z.number().int().min(1),
  hashVersion: hashVersionSchema,
  taskId: z.string(),
  seq: z.number().int().min(1),
  type: z.string(),
  at: z.iso.datetime(),
  actor: actorSchema,
  changes: z.record(z.string(), fieldChange),
  note: z.string().nullable(),
  evidence: z.array(z.string()),
  state: taskStateSchema,
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export type Actor = z.infer<typeof actorSchema>;
export type AssignmentState = z.infer<typeof assignmentStateSchema>;
export type HashVersion = z.infer<typeof hashVersionSchema>;
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type TaskState = z.infer<typeof taskStateSchema>;

export const SYSTEM_ACTOR: Actor = { keyId: null, agencyId: null, role: 'system' };

function hashedContent(entry: LedgerEntry): object {
  if (entry.hashVersion === 1) {
    const { id: _id, hashVersion: _version, ...v1 } = entry;
    return v1;
  }
  return entry;
}

/**
 * hash = hex(sha256(prevHash ‖ JCS(content))), JCS being the RFC 8785 canonical JSON encoding and
 * the content what the entry's hash version covers, so anyone can recompute a chain from the
 * exported events with a standard library.
 */
export function hashEntry(entry: LedgerEntry): string {
  const canonical = canonicalize(hashedContent(entry));
  if (canonical === undefined) throw new TypeError('ledger entry cannot be encoded as JSON');
  return createHash('sha256').update(entry.prevHash).update(canonical).digest('hex');
}

/** The part of a task's current state an event of this hash version records, to compare the two. */
export function recordedState(version: HashVersion, state: TaskState): TaskState {
  if (version === 1) {
    const { assignments: _assignments, ...v1 } = state;
    return v1;
  }
  return state;
}
