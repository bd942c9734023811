import { z } from 'zod';
import { CalendarDate, Id, InputDate, pageOf, PageQuery, Text, Timestamp } from '../common/schemas.js';

export const ExtensionRequestId = z.string().regex(/^[a-f0-9]{16}$/, 'must be the 16-character request id');

const Note = Text.trim().min(1).max(2000);

export const ExtensionRequestStatus = z.enum(['pending', 'approved', 'refused']).meta({
  id: 'ExtensionRequestStatus',
  description: 'pending: waiting for the supervising office; approved: the due date in force moved; refused: it did not.',
});

export const NewExtensionRequest = z
  .strictObject({
    requestedDueDate: InputDate.describe('The due date asked for; after the one in force.'),
    reason: Note.describe('Why the task cannot be done by its due date (延期理由).'),
  })
  .meta({ id: 'NewExtensionRequest' });

export const ExtensionDecisionInput = z
  .strictObject({
    decision: z.enum(['approved', 'refused']),
    dueDate: InputDate.optional().describe('With approved: another date than the one asked for (after the due date in force).'),
    note: Note.optional().describe('Required when refusing; the unit sees it.'),
  })
  .meta({ id: 'ExtensionDecision' });

export const ExtensionRequest = z
  .object({
    id: ExtensionRequestId,
    taskId: Id,
    status: ExtensionRequestStatus,
    requestedDueDate: CalendarDate,
    reason: z.string(),
    dueDateAtRequest: CalendarDate.describe('The due date in force when it was asked for.'),
    late: z.boolean().describe('Asked after that due date had passed (accepted, marked, where the list’s policy is mark_late).'),
    requestedAt: Timestamp,
    requestedBy: z.object({ keyId: z.string().nullable(), agencyId: Id.nullable() }),
    requestEventId: z.number().int().min(1).describe('The ledger event that recorded the request.'),
    decision: z
      .object({
        at: Timestamp,
        keyId: z.string().nullable(),
        note: z.string().nullable(),
        approvedDueDate: CalendarDate.nullable().describe('The due date in force since; null when refused.'),
        eventId: z.number().int().min(1).describe('The ledger event that recorded the decision.'),
      })
      .nullable()
      .describe('null while pending.'),
  })
  .meta({ id: 'ExtensionRequest', description: '延期申请: a lead unit’s request for a later due date, and the supervising office’s decision.' });

export const ExtensionRequestPage = pageOf(ExtensionRequest).meta({ id: 'ExtensionRequestPage' });

export const ExtensionRequestQuery = PageQuery.extend({
  status: ExtensionRequestStatus.optional(),
  task: Id.optional().describe('Only the requests of this task.'),
  list: Id.optional().describe('Only requests on tasks of this list.'),
  agency: Id.optional().describe('Only requests on tasks assigned to this agency, directly or through a group it belongs to.'),
});

export const ExtensionRequestParams = z.object({ id: ExtensionRequestId });

/** On a task: its request waiting for a decision. */
export const PendingExtension = z
  .object({ requestId: ExtensionRequestId, requestedDueDate: CalendarDate, requestedAt: Timestamp, late: z.boolean() })
  .meta({ id: 'PendingExtension', description: 'The extension request waiting for the supervising office’s decision.' });

export type ExtensionRequest = z.infer<typeof ExtensionRequest>;
export type ExtensionRequestQuery = z.output<typeof ExtensionRequestQuery>;
export type NewExtensionRequest = z.output<typeof NewExtensionRequest>;
export type ExtensionDecisionInput = z.output<typeof ExtensionDecisionInput>;
