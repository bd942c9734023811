import { CHAIN_PROBLEM_KINDS } from '../../domain/audit.js';
import { z } from 'zod';
import { Cursor, Timestamp } from '../common/schemas.js';

const Position = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const AuditEventsQuery = z
  .strictObject({
    since: Position.optional().describe('Only events with id greater than this (the id of the last event you have).'),
    cursor: Cursor.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200).describe('Page size; at most 1000.'),
  })
  .refine((q) => q.since === undefined || q.cursor === undefined, { message: 'give since or cursor, not both' });

export const LedgerRoot = z
  .object({
    root: z.string().describe('sha256 over { position, heads } (README: "The ledger"). Record it with its position.'),
    position: z.number().int().min(0).describe('The id of the last event covered; equals the number of events.'),
    tasks: z.number().int().min(0).describe('Number of task chains.'),
    computedAt: Timestamp,
  })
  .meta({ id: 'LedgerRoot' });

export const VerifyQuery = z
  .strictObject({
    root: z.string().regex(/^[0-9a-f]{64}$/, 'a root as GET /v1/audit/root gave it').optional(),
    position: Position.optional().describe('The position recorded with root.'),
  })
  .refine((q) => (q.root === undefined) === (q.position === undefined), { message: 'root and position go together' });

export const ChainProblem = z
  .object({
    kind: z.enum(CHAIN_PROBLEM_KINDS),
    taskId: z.string().nullable(),
    eventId: z.number().int().nullable(),
    seq: z.number().int().nullable(),
    detail: z.string(),
  })
  .meta({ id: 'ChainProblem' });

export const VerifyResult = z
  .object({
    ok: z.boolean().describe('True when every chain checks out and, if a root was given, it matches.'),
    position: z.number().int().describe('Events checked: the ledger position now.'),
    tasks: z.number().int(),
    problems: z.array(ChainProblem),
    rootCheck: z
      .object({
        position: z.number().int(),
        recorded: z.string(),
        recomputed: z.string(),
        matches: z.boolean().describe('True when the history up to position is what it was when the root was recorded.'),
      })
      .nullable(),
    verifiedAt: Timestamp,
  })
  .meta({ id: 'VerifyResult' });
