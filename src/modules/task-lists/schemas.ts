import { z } from 'zod';
import { Id, pageOf, PageQuery } from '../common/schemas.js';
import { ReportingEntry } from '../documents/format.js';

export const TaskList = z
  .object({
    id: Id,
    documentId: Id,
    title: z.string(),
    annex: z.string().nullable().describe('The annex label in the document (附件2), if the list is an annex.'),
    ownerId: Id.nullable().describe('The unit responsible for the list’s tasks that name none of their own.'),
    lateExtensionRequests: z
      .enum(['mark_late', 'refuse'])
      .describe('An extension request made after the due date is accepted and marked late (mark_late), or refused (refuse).'),
    reporting: ReportingEntry.nullable().describe('Its reporting periods (GET /v1/reports/reporting); null: the list has none.'),
    taskCount: z.number().int().min(0),
  })
  .meta({ id: 'TaskList' });

export const TaskListPage = pageOf(TaskList).meta({ id: 'TaskListPage' });

export const TaskListQuery = PageQuery.extend({
  document: Id.optional().describe('Only the lists of this document.'),
});

export type TaskList = z.infer<typeof TaskList>;
