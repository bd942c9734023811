import { z } from 'zod';
import { CalendarDate } from '../common/schemas.js';
import { Event } from './events-schemas.js';
import { Task, TaskStatus } from './schemas.js';

export const TaskPatch = z
  .strictObject({
    status: TaskStatus.optional(),
    progress: z.number().int().min(0).max(100).optional().describe('Lead agency only.'),
    dueDate: CalendarDate.nullable().optional().describe('Supervisor only; null clears it.'),
    note: z.string().trim().min(1).max(2000).optional().describe('Why; required to reject a completion or reopen a verified task.'),
  })
  .refine((patch) => patch.status !== undefined || patch.progress !== undefined || patch.dueDate !== undefined, {
    message: 'give at least one of status, progress, dueDate',
  })
  .meta({ id: 'TaskPatch' });

export const EvidenceUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .describe('An http(s) link; stored, never fetched.');

export const ProgressReport = z
  .strictObject({
    note: z.string().trim().min(1).max(4000),
    progress: z.number().int().min(0).max(100).optional(),
    evidence: z.array(EvidenceUrl).max(20).optional(),
  })
  .meta({ id: 'ProgressReport' });

export const ReportResult = z.object({ task: Task, event: Event }).meta({ id: 'ReportResult' });

export const IfMatchHeaders = z.looseObject({
  'if-match': z.string().max(200).optional().describe('The ETag of the task as you last read it, e.g. "3". Required.'),
});

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .describe('Makes a retry safe: the same key and body replay the first answer; the same key with another body is refused (422).'),
});

export const ReplayHeaders = z.object({
  'idempotent-replayed': z.literal('true').optional().describe('Present when this is the stored answer to an earlier request with the same Idempotency-Key.'),
});
