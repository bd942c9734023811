import { z } from 'zod';
import { assignmentRole } from '../../db/schema/index.js';
import { BooleanFlag, CalendarDate, Id, InputDate, InputMoment, pageOf, PageQuery, TaskStatus, Text, Timestamp } from '../common/schemas.js';
import { PendingExtension } from '../extensions/schemas.js';

export { TaskStatus };

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
    acknowledgedAt: Timestamp.nullable().describe('When the unit signed for the task (签收, POST /v1/tasks/{id}/receipt); null while it has not.'),
  })
  .meta({ id: 'Assignment' });

export const IndicatorDirection = z.enum(['at_least', 'at_most', 'between']).meta({
  id: 'IndicatorDirection',
  description: 'at_least: met when the value reaches target; at_most: when it stays at or below target; between: when it lies in [min, max].',
});

export const Indicator = z
  .object({
    key: Id,
    name: z.string().describe('What is counted, in the source’s words.'),
    unit: z.string().nullable().describe('As written: 人次, 个, %.'),
    direction: IndicatorDirection,
    target: z.number().nullable().describe('With at_least and at_most.'),
    min: z.number().nullable().describe('With between.'),
    max: z.number().nullable().describe('With between.'),
    baseline: z.number().nullable(),
    due: z.string().nullable().describe('The year (YYYY) or date (YYYY-MM-DD) the target is due.'),
    latest: z
      .object({ value: z.number(), at: Timestamp, eventId: z.number().int().min(1).describe('The ledger event that reported it.') })
      .nullable()
      .describe('The latest reported value; null until one is reported.'),
    met: z.boolean().nullable().describe('Whether the latest value meets the target; null until one is reported.'),
  })
  .meta({ id: 'Indicator', description: 'A named numeric target of the task and its latest reported value.' });

export const TaskWindow = z
  .object({
    start: CalendarDate.nullable().describe('First day; null: open at the start.'),
    end: CalendarDate.nullable().describe('Last day; null: open at the end.'),
    inheritedFrom: Id.nullable().describe('The ancestor whose window this is; null when it is the task’s own.'),
  })
  .meta({ id: 'TaskWindow', description: 'The planned window in force (a phase’s dates), the task’s own or its nearest ancestor’s.' });

export const Task = z
  .object({
    id: Id,
    listId: Id,
    parentId: Id.nullable().describe('The task this one is part of (a group, phase or year); null at the top of its list.'),
    number: z.number().int().min(1).describe('序号 among its siblings.'),
    label: z.string().nullable().describe('The numbering as written when it is not the plain number: （一）, 第一阶段, 2019年.'),
    position: z.number().int().min(1).describe('Place in the whole list, in document order (a parent before its children).'),
    title: z.string().nullable().describe('The heading, when the source gives one apart from the text.'),
    text: z.string().describe('The task, verbatim from the source.'),
    articleId: Id.nullable().describe('The article of the document the task comes from.'),
    responsibleText: z.string().nullable().describe('The 责任单位 cell, verbatim; null when the list has no such column.'),
    assignments: z.array(Assignment),
    status: TaskStatus,
    progress: z.number().int().min(0).max(100),
    dueDate: CalendarDate.nullable().describe('The due date in force: as set, or as an approved extension request moved it.'),
    originalDueDate: CalendarDate.nullable().describe('The due date before the first approved extension request; null while none was approved.'),
    pendingExtension: PendingExtension.nullable(),
    window: TaskWindow.nullable(),
    weight: z.number().positive().describe('Share in the parent’s roll-up.'),
    childCount: z.number().int().min(0).describe('Sub-tasks; while above 0, status and progress roll up from them and cannot be set directly.'),
    indicators: z.array(Indicator),
    overdue: z.boolean().describe('Derived: the due date has passed and the task is neither completed nor verified.'),
    stale: z.boolean().describe('Derived: open, and no progress report (or creation) for STALE_AFTER_DAYS days; on a list with a reporting cadence, no report in the latest period whose due date has passed.'),
    health: Health,
    version: z.number().int().min(1).describe('Increases with every change; the ETag begins with it.'),
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
  parent: Id.optional().describe('Only the sub-tasks of this task (with subtree=true: all its descendants).'),
  subtree: BooleanFlag.optional().describe('With parent: every descendant, not only the children.'),
  topLevel: BooleanFlag.optional().describe('true: only tasks without a parent; false: only sub-tasks.'),
  activeOn: InputDate.optional().describe('Only tasks whose window in force (own or inherited) includes this date.'),
  status: TaskStatus.optional(),
  agency: Id.optional().describe('Only tasks assigned to this agency, directly or through a group it belongs to.'),
  role: AssignmentRole.optional().describe('With agency: only tasks where that agency (or its group) has this role.'),
  article: Id.optional().describe('Only tasks that come from this article.'),
  overdue: BooleanFlag.optional(),
  stale: BooleanFlag.optional(),
  extensionPending: BooleanFlag.optional().describe('true: only tasks with an extension request waiting for a decision; false: only those without.'),
  extended: BooleanFlag.optional().describe('true: only tasks whose due date an approved extension moved; false: only the others.'),
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
      'Incremental sync: only tasks changed after this ledger position, in the order of their latest change (lastEventId), so polling with the highest lastEventId received never misses or repeats a change. Combines with list, agency, role, article and q, never with filters a change can leave (status, overdue, stale, updatedSince, extensionPending, extended).',
    ),
});

export const TaskEtagHeaders = z.object({
  etag: z.string().describe('Strong validator: the stored version, the health and whether stale, e.g. "3-green" or "3-red-stale". Send it back as If-Match to write, as If-None-Match to revalidate.'),
});

export const IfNoneMatchHeaders = z.object({
  'if-none-match': z.string().max(1000).optional().describe('ETags you hold; 304 when one of them is current.'),
});

export type Task = z.infer<typeof Task>;
export type TaskQuery = z.output<typeof TaskQuery>;
