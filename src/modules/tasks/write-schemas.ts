import { z } from 'zod';
import { Id, InputDate, isStorableText, ItemProblem, STORABLE_TEXT_MESSAGE, Text } from '../common/schemas.js';
import { Event } from './events-schemas.js';
import { Task, TaskStatus } from './schemas.js';

export const TaskPatch = z
  .strictObject({
    status: TaskStatus.optional(),
    progress: z.number().int().min(0).max(100).optional().describe('Lead agency only.'),
    dueDate: InputDate.nullable().optional().describe('Supervisor only; null clears it.'),
    note: Text.trim().min(1).max(2000).optional().describe('Why; required to reject a completion or reopen a verified task.'),
  })
  .refine((patch) => patch.status !== undefined || patch.progress !== undefined || patch.dueDate !== undefined, {
    message: 'give at least one of status, progress, dueDate',
  })
  .meta({ id: 'TaskPatch' });

export const EvidenceUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .refine(isStorableText, STORABLE_TEXT_MESSAGE)
  .describe('An http(s) link; stored, never fetched.');

export const ProgressReport = z
  .strictObject({
    note: Text.trim().min(1).max(4000),
    progress: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('From the lead: the task’s progress. From a co unit: its own share’s (its assignment’s progress), never the task’s.'),
    evidence: z.array(EvidenceUrl).max(20).optional(),
    indicators: z
      .array(z.strictObject({ key: Id.describe('The indicator’s key on this task.'), value: z.number().finite().describe('The value reached, in the indicator’s unit.') }))
      .max(50)
      .refine((values) => new Set(values.map((v) => v.key)).size === values.length, 'each indicator at most once')
      .optional()
      .describe('Values reached on the task’s indicators; each becomes the indicator’s latest value, recorded by this report’s ledger event.'),
  })
  .meta({ id: 'ProgressReport' });

export const ReportResult = z.object({ task: Task, event: Event }).meta({ id: 'ReportResult' });

export const UrgeRequest = z
  .strictObject({
    note: Text.trim().min(1).max(4000).describe('What the office expects of the unit, and by when.'),
    agencyId: Id.optional().describe('The unit urged: one of the task’s units; the lead when left out.'),
  })
  .meta({ id: 'UrgeRequest' });

export const UrgeResult = z.object({ task: Task, event: Event.describe('The urged event.') }).meta({ id: 'UrgeResult' });

export const IfMatchHeaders = z.looseObject({
  // Optional here so that its absence is answered 428 by the handler rather than 400; the document marks it required (plugins/openapi-document.ts).
  'if-match': z.string().max(200).optional().describe('The ETag of the task as you last read it, e.g. "3-green" (its version alone, "3", is taken too). Required: without it the answer is 428.'),
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

const ItemIfMatch = z.string().min(1).max(200).describe('The ETag of the task as you last read it, e.g. "3-green", exactly as If-Match would carry it.');

export const BatchItem = z
  .discriminatedUnion('op', [
    z.strictObject({
      op: z.literal('update'),
      taskId: Id,
      ifMatch: ItemIfMatch,
      changes: TaskPatch,
    }),
    z.strictObject({
      op: z.literal('report'),
      taskId: Id,
      ifMatch: ItemIfMatch.optional().describe('Optional: apply the report only onto this version of the task.'),
      report: ProgressReport,
    }),
  ])
  .meta({ id: 'BatchItem', description: 'update: what PATCH /v1/tasks/{id} does; report: what POST /v1/tasks/{id}/reports does.' });

export const BatchRequest = z
  .strictObject({
    mode: z
      .enum(['atomic', 'independent'])
      .default('atomic')
      .describe('atomic: every item is applied or none is (422 batch_failed names the item that failed). independent: each item succeeds or fails on its own, reported per item.'),
    items: z.array(BatchItem).min(1).max(100).describe('Applied in this order; an item may build on an earlier one for the same task (its ifMatch then names the version after it).'),
  })
  .meta({ id: 'BatchRequest' });

export const BatchItemResult = z
  .object({
    index: z.number().int().min(0),
    taskId: Id,
    status: z.number().int().describe('What the item alone would have answered: 200 for an update, 201 for a report, or the 4xx of its problem.'),
    task: Task.optional().describe('The task after the item.'),
    event: Event.optional().describe('The ledger event of a report.'),
    problem: ItemProblem.optional().describe('Why the item was not applied.'),
  })
  .meta({ id: 'BatchItemResult' });

export const BatchResult = z
  .object({
    mode: z.enum(['atomic', 'independent']),
    applied: z.number().int().min(0),
    failed: z.number().int().min(0),
    results: z.array(BatchItemResult).describe('One per item, in request order.'),
  })
  .meta({ id: 'BatchResult' });

export type BatchRequest = z.output<typeof BatchRequest>;
export type BatchResult = z.output<typeof BatchResult>;
