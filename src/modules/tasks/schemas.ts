import { z } from 'zod';
import { assignmentRole, taskStatus } from '../../db/schema/index.js';
import { BooleanFlag, CalendarDate, Id, InputMoment, pageOf, PageQuery, Text, Timestamp } from '../common/schemas.js';

export const TaskStatus = z.enum(taskStatus.enumValues).meta({
  id: 'TaskStatus',
  description: 'not_started 未启动 → in_progress 推进中 ⇄ delayed 滞后 → completed 已完成 → verified 已销号.',
});

export const AssignmentRole = z.enum(assignmentRole.enumValues).meta({
  id: 'AssignmentRole',
  description: 'lead: the first unit listed (牵头单位); co: the units after it (配合单位).',
});

export const Health = z.enum(['red', 'amber', 'green', 'none']).meta({
  id: 'Health',
  description: '红黄绿灯: red = overdue; amber = delayed, or due within the amber window and not done; green otherwise; none once verified.',
});

export const Assignment = z
  .object({
    agencyId: Id,
    agencyName: z.string().describe('Short name as written in the source.'),
    role: AssignmentRole,
    position: z.number().int().min(1).describe('Place in the responsible-units cell, from 1.'),
    progress: z
      .number()
      .int()
      .min(0)
      .max(100)
      .nullable()
      .describe('A co unit’s own share, from its latest progress report with progress; null until then, and always for the lead, whose progress is the task’s.'),
  })
  .meta({ id: 'Assignment' });

export const Task = z
  .object({
    id: Id,
    listId: Id,
    number: z.number().int().min(1).describe('序号 in the list.'),
    text: z.string().describe('The task, verbatim from the source.'),
    articleId: Id.nullable().describe('The article of the document the task comes from.'),
    responsibleText: z.string().nullable().describe('The 责任单位 cell, verbatim; null when the list has no such column.'),
    assignments: z.array(Assignment),
    status: TaskStatus,
    progress: z.number().int().min(0).max(100),
    dueDate: CalendarDate.nullable(),
    overdue: z.boolean().describe('Derived: the due date has passed and the task is neither completed nor verified.'),
    stale: z.boolean().describe('Derived: open, and no progress report (or creation) for STALE_AFTER_DAYS days.'),
    health: Health,
    version: z.number().int().min(1).describe('Increases with every change; the ETag carries it.'),
    lastEventId: z.number().int().min(1).describe('Ledger position of the task’s latest event: pass the highest you hold as changedAfter to sync.'),
    relatedTaskIds: z.array(Id).describe('Tasks in other lists that carry the same measure.'),
    lastReportAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Task' });

export const TaskPage = pageOf(Task).meta({ id: 'TaskPage' });

export const TaskQuery = PageQuery.extend({
  list: Id.optional().describe('Only tasks of this list.'),
  status: TaskStatus.optional(),
  agency: Id.optional().describe('Only tasks assigned to this agency, directly or through a group it belongs to.'),
  role: AssignmentRole.optional().describe('With agency: only tasks where that agency (or its group) has this role.'),
  article: Id.optional().describe('Only tasks that come from this article.'),
  overdue: BooleanFlag.optional(),
  stale: BooleanFlag.optional(),
  q: Text.min(1).max(200).optional().describe('Case-insensitive substring of the task text or the responsible-units cell.'),
  updatedSince: InputMoment.optional()
    .describe('Only tasks whose updatedAt is at or after this RFC 3339 instant. A convenience for people; to sync, use changedAfter.'),
  changedAfter: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe(
      'Incremental sync: only tasks changed after this ledger position, in the order of their latest change (lastEventId), so polling with the highest lastEventId received never misses or repeats a change. Combines with list, agency, role, article and q, never with filters a change can leave (status, overdue, stale, updatedSince).',
    ),
});

export const TaskEtagHeaders = z.object({
  etag: z.string().describe('Strong validator of the stored task version, e.g. "3".'),
});

export type Task = z.infer<typeof Task>;
export type TaskQuery = z.output<typeof TaskQuery>;
