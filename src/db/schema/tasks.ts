import { sql } from 'drizzle-orm';
import { type AnyPgColumn, bigint, check, date, doublePrecision, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';
import { articles, taskLists } from './documents.js';

export const taskStatus = pgEnum('task_status', ['not_started', 'in_progress', 'delayed', 'completed', 'verified']);
export const assignmentRole = pgEnum('assignment_role', ['lead', 'co']);

/**
 * One item of a task list. text and responsibleText are verbatim from the source;
 * version increases by one with every change, and every change has a ledger event.
 * Tasks nest (a group's items, a phase's steps): number is the 序号 among siblings, position the
 * place in the whole list in document order (parents before their children). ancestorIds and the
 * effective window are kept by the importer, the only writer of structure, so subtree and window
 * filters are plain column tests.
 */
export const tasks = pgTable(
  'tasks',
  {
    id: text().primaryKey(),
    listId: text()
      .notNull()
      .references(() => taskLists.id),
    parentId: text().references((): AnyPgColumn => tasks.id),
    /** Root first. */
    ancestorIds: text().array().notNull().default(sql`'{}'::text[]`),
    position: integer().notNull(),
    number: integer().notNull(),
    label: text(),
    title: text(),
    text: text().notNull(),
    weight: doublePrecision().notNull().default(1),
    /** The task's own planned window, as imported. */
    plannedStart: date({ mode: 'string' }),
    plannedEnd: date({ mode: 'string' }),
    /** The window in force: its own, or its nearest ancestor's (windowFrom names which task's). */
    windowStart: date({ mode: 'string' }),
    windowEnd: date({ mode: 'string' }),
    windowFrom: text(),
    /** Children it has; while above 0 its status and progress roll up from them (domain/rollup.ts). */
    childCount: integer().notNull().default(0),
    articleId: text().references(() => articles.id),
    responsibleText: text(),
    status: taskStatus().notNull().default('not_started'),
    progress: integer().notNull().default(0),
    /** The due date in force: as set, or as an approved extension request moved it. */
    dueDate: date({ mode: 'string' }),
    /** The due date before the first approved extension; null while none was approved. */
    originalDueDate: date({ mode: 'string' }),
    version: integer().notNull().default(1),
    /** Ledger position of the task's latest event, kept by db/ledger.ts; 0 only inside the transaction that creates the task. */
    lastEventId: bigint({ mode: 'number' }).notNull().default(0),
    lastReportAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    unique('tasks_list_position_unique').on(t.listId, t.position),
    unique('tasks_sibling_number_unique').on(t.listId, t.parentId, t.number).nullsNotDistinct(),
    index().on(t.parentId),
    index('tasks_ancestor_ids_idx').using('gin', t.ancestorIds),
    index().on(t.articleId),
    index().on(t.updatedAt, t.id),
    index().on(t.lastEventId),
    check('tasks_progress_range', sql`${t.progress} between 0 and 100`),
    check('tasks_version_positive', sql`${t.version} >= 1`),
    check('tasks_weight_positive', sql`${t.weight} > 0`),
    check('tasks_planned_window', sql`${t.plannedStart} is null or ${t.plannedEnd} is null or ${t.plannedStart} <= ${t.plannedEnd}`),
  ],
);

/**
 * Task × agency × role in source order: position 1 is the lead (牵头单位), the rest co-operate.
 * shareProgress is a co unit's own share, from its reports (null until it reports one); the lead's
 * progress is the task's, so its own stays null. Named apart from tasks.progress so that no join of
 * the two tables makes a bare "progress" ambiguous. Every change here is a ledger event (db/ledger.ts).
 */
export const taskAssignments = pgTable(
  'task_assignments',
  {
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    agencyId: text()
      .notNull()
      .references(() => agencies.id),
    role: assignmentRole().notNull(),
    position: integer().notNull(),
    shareProgress: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.agencyId] }),
    unique().on(t.taskId, t.position),
    // With the task id, the tasks of an agency are read from the index alone.
    index().on(t.agencyId, t.taskId),
    check('task_assignments_share_progress_range', sql`${t.shareProgress} between 0 and 100`),
  ],
);

/** Related tasks across lists; stored in both directions so either side finds the other. */
export const taskLinks = pgTable(
  'task_links',
  {
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    relatedTaskId: text()
      .notNull()
      .references(() => tasks.id),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.relatedTaskId] })],
);

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = (typeof taskStatus.enumValues)[number];
export type AssignmentRole = (typeof assignmentRole.enumValues)[number];

/**
 * A named numeric target of a task (培训师资500人次). Reported values are ledger events (the
 * task's state carries each indicator's value); latest* keep the newest of them for reads.
 */
export const taskIndicators = pgTable(
  'task_indicators',
  {
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    key: text().notNull(),
    position: integer().notNull(),
    name: text().notNull(),
    unit: text(),
    direction: text().$type<'at_least' | 'at_most' | 'between'>().notNull(),
    target: doublePrecision(),
    min: doublePrecision(),
    max: doublePrecision(),
    baseline: doublePrecision(),
    /** YYYY or YYYY-MM-DD, as the source gives it. */
    due: text(),
    latestValue: doublePrecision(),
    latestAt: timestamp({ withTimezone: true, precision: 3 }),
    latestEventId: bigint({ mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.key] }),
    check('task_indicators_direction', sql`${t.direction} in ('at_least', 'at_most', 'between')`),
    check('task_indicators_target', sql`(${t.direction} = 'between') = (${t.target} is null) and (${t.direction} = 'between') = (${t.min} is not null and ${t.max} is not null)`),
  ],
);

export type TaskIndicatorRow = typeof taskIndicators.$inferSelect;
