import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';
import { articles, taskLists } from './documents.js';

export const taskStatus = pgEnum('task_status', ['not_started', 'in_progress', 'delayed', 'completed', 'verified']);
export const assignmentRole = pgEnum('assignment_role', ['lead', 'co']);

/**
 * One item of a task list. text and responsibleText are verbatim from the source;
 * version increases by one with every change, and every change has a ledger event.
 */
export const tasks = pgTable(
  'tasks',
  {
    id: text().primaryKey(),
    listId: text()
      .notNull()
      .references(() => taskLists.id),
    number: integer().notNull(),
    text: text().notNull(),
    articleId: text().references(() => articles.id),
    responsibleText: text(),
    status: taskStatus().notNull().default('not_started'),
    progress: integer().notNull().default(0),
    dueDate: date({ mode: 'string' }),
    version: integer().notNull().default(1),
    /** Ledger position of the task's latest event, kept by db/ledger.ts; 0 only inside the transaction that creates the task. */
    lastEventId: bigint({ mode: 'number' }).notNull().default(0),
    lastReportAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    unique().on(t.listId, t.number),
    index().on(t.articleId),
    index().on(t.updatedAt, t.id),
    index().on(t.lastEventId),
    check('tasks_progress_range', sql`${t.progress} between 0 and 100`),
    check('tasks_version_positive', sql`${t.version} >= 1`),
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
    index().on(t.agencyId),
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
