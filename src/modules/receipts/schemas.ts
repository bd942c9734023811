import { z } from 'zod';
import { BooleanFlag, Id, pageOf, PageQuery, Timestamp } from '../common/schemas.js';
import { AssignmentRole } from '../tasks/schemas.js';

export const Receipt = z
  .object({
    taskId: Id,
    agencyId: Id.describe('The assigned unit (for a group’s assignment, the group).'),
    agencyName: z.string(),
    role: AssignmentRole,
    acknowledgedAt: Timestamp.nullable().describe('When the unit signed for the task (签收); null while it has not.'),
    acknowledgedBy: z
      .object({ keyId: z.string().nullable(), agencyId: Id.nullable().describe('For a group’s assignment, the member that signed.') })
      .nullable(),
    eventId: z.number().int().min(1).nullable().describe('The ledger event that recorded the receipt.'),
  })
  .meta({ id: 'Receipt', description: '签收: an assignment of a task to a unit, and whether the unit has signed for it.' });

export const ReceiptPage = pageOf(Receipt).meta({ id: 'ReceiptPage' });

export const ReceiptQuery = PageQuery.extend({
  acknowledged: BooleanFlag.optional().describe('false: the assignments not yet signed for; true: those signed for.'),
  agency: Id.optional().describe('Only the assignments of this unit, directly or through a group it belongs to.'),
  list: Id.optional(),
  task: Id.optional(),
});

export type Receipt = z.infer<typeof Receipt>;
export type ReceiptQuery = z.output<typeof ReceiptQuery>;
