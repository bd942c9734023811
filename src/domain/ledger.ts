import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';

/** prevHash of the first event of every task chain. */
export const GENESIS_HASH = '0'.repeat(64);

export const actorSchema = z.object({
  keyId: z.string().nullable(),
  agencyId: z.string().nullable(),
  role: z.enum(['system', 'admin', 'supervisor', 'agency', 'auditor']),
});

const fieldChange = z.object({ from: z.unknown(), to: z.unknown() });

/**
 * The task's tracked fields after the event. Carried (and hashed) in every event so that the
 * state as of any moment is one lookup of the last event before it, not a replay.
 */
export const taskStateSchema = z.object({
  status: z.enum(['not_started', 'in_progress', 'delayed', 'completed', 'verified']),
  progress: z.number().int().min(0).max(100),
  dueDate: z.iso.date().nullable(),
  lastReportAt: z.iso.datetime().nullable(),
});

/** What an event says, without its storage id and its own hash: exactly what the hash covers. */
export const ledgerEntrySchema = z.object({
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
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type TaskState = z.infer<typeof taskStateSchema>;

export const SYSTEM_ACTOR: Actor = { keyId: null, agencyId: null, role: 'system' };

/**
 * hash = hex(sha256(prevHash ‖ JCS(entry))), JCS being the RFC 8785 canonical JSON encoding,
 * so anyone can recompute a chain from the exported events with a standard library.
 */
export function hashEntry(entry: LedgerEntry): string {
  const canonical = canonicalize(entry);
  if (canonical === undefined) throw new TypeError('ledger entry cannot be encoded as JSON');
  return createHash('sha256').update(entry.prevHash).update(canonical).digest('hex');
}
