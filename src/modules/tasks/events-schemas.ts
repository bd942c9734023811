import { z } from 'zod';
import { actorSchema, hashVersionSchema, revisedFields, routineFields, taskStateSchema } from '../../domain/ledger.js';
import { Id, pageOf, Timestamp } from '../common/schemas.js';

export const Actor = actorSchema.meta({ id: 'Actor', description: 'Who made the change: the key, its agency, its role (system for seeding).' });

export const TaskState = taskStateSchema.meta({
  id: 'TaskState',
  description:
    'The task’s status, progress, due date and last report time after the event and, from hash version 2, its assignments in order (progress: a co unit’s own share; null for the lead, whose progress is the task’s) and, on a task with indicators, each one’s latest reported value.',
});

const FieldChange = z.object({ from: z.unknown(), to: z.unknown() }).meta({ id: 'FieldChange', description: 'A tracked field’s value before and after the event.' });

/**
 * Keyed by the fields TaskState tracks and those an import revises, so the keys an event may carry
 * are declared (CSV columns changes.status.from, changes.text.to …) and follow TaskState when it
 * grows. Strict: a key outside the set fails loudly rather than vanishing from the response.
 */
const changeKeys = [...taskStateSchema.keyof().options, ...revisedFields, ...routineFields];
const Changes = z.strictObject(
  Object.fromEntries(changeKeys.map((field) => [field, FieldChange.optional()])) as Record<(typeof changeKeys)[number], z.ZodOptional<typeof FieldChange>>,
);

export const Event = z
  .object({
    id: z.number().int().min(1).describe('Position in the whole ledger: gap-free and in commit order.'),
    taskId: Id,
    seq: z.number().int().min(1).describe('Position in the task’s own chain, from 1.'),
    type: z
      .enum([
      'created',
      'status_changed',
      'completion_withdrawn',
      'verified',
      'completion_rejected',
      'reopened',
      'progress_updated',
      'due_date_set',
      'progress_reported',
      'revised',
      'rolled_up',
      'extension_requested',
      'extension_approved',
      'extension_refused',
      'assignment_acknowledged',
      'urged',
    ])
      .describe(
        'revised: an import changed the task’s text or structure; rolled_up: a parent’s status or progress followed a change of its children; extension_requested: the lead unit asked for the due date in changes.requestedDueDate.to, its reason the note; extension_approved: the due date in force moved (changes.dueDate), the first time with originalDueDate; extension_refused: the office said no, its note saying why; assignment_acknowledged: a responsible unit signed for the task (签收), changes.acknowledged.to naming the assignment’s agency; urged: the supervising office urged a unit (催办), named by changes.urgedAgencyId.to, with a note.',
      ),
    at: Timestamp,
    actor: Actor,
    changes: Changes.describe('Each changed field with its value before and after.'),
    note: z.string().nullable(),
    evidence: z.array(z.string()),
    state: TaskState,
    prevHash: z.string().describe('hash of the previous event of this task; 64 zeros for the first.'),
    hashVersion: hashVersionSchema.describe('The recipe of hash. 2: over the event without hash (so id and hashVersion are covered); 1, events written before version 2: over the event without id, hashVersion and hash.'),
    hash: z.string().describe('hex(sha256(prevHash ‖ RFC 8785 JSON of what hashVersion covers)); README has the recipe.'),
  })
  .meta({ id: 'Event' });

export const EventPage = pageOf(Event).meta({ id: 'EventPage' });

export type Event = z.infer<typeof Event>;
