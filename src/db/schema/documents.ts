import { sql } from 'drizzle-orm';
import { check, date, integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { ReportCadence } from '../../domain/reporting.js';
import { agencies } from './agencies.js';

/** A policy document as issued; its text lives in its articles. */
export const documents = pgTable('documents', {
  id: text().primaryKey(),
  title: text().notNull(),
  issuers: text().array().notNull(),
  issuedOn: date({ mode: 'string' }),
  docNumber: text(),
  sourceFile: text(),
  /** How the document last came in: seed:<file>, api or cli; startup re-applies a seed only over its own earlier import. */
  importedFrom: text(),
  /** sha256 of the canonical import file last applied, so an unchanged seed is skipped at startup. */
  importHash: text(),
  importedAt: timestamp({ withTimezone: true, precision: 3 }),
});

/** Top-level parts of a document (一、二、…), in source order. */
export const documentParts = pgTable(
  'document_parts',
  {
    id: text().primaryKey(),
    documentId: text()
      .notNull()
      .references(() => documents.id),
    position: integer().notNull(),
    number: text().notNull(),
    title: text(),
    text: text(),
  },
  (t) => [unique().on(t.documentId, t.position)],
);

/** Articles （一）…（二十）; position runs through the whole document, not per part. */
export const articles = pgTable(
  'articles',
  {
    id: text().primaryKey(),
    partId: text()
      .notNull()
      .references(() => documentParts.id),
    position: integer().notNull(),
    number: text().notNull(),
    title: text(),
    text: text().notNull(),
  },
  (t) => [unique().on(t.partId, t.position)],
);

/** An ordered task list that belongs to a document (e.g. 附件2 天津市工作任务清单). */
export const taskLists = pgTable(
  'task_lists',
  {
    id: text().primaryKey(),
    documentId: text()
      .notNull()
      .references(() => documents.id),
    position: integer().notNull(),
    title: text().notNull(),
    annex: text(),
    /** The unit responsible for the list's tasks that name none of their own. */
    ownerId: text().references(() => agencies.id),
    /** What becomes of an extension request made after the due date: accepted and marked late, or refused. */
    lateExtensionRequests: text().$type<'mark_late' | 'refuse'>().notNull().default('mark_late'),
    /** How often its units report (domain/reporting.ts); null: no cadence, and so no reporting periods. */
    reportCadence: text().$type<ReportCadence>(),
    /** The day of the month (of a quarter's last month) a period's report is due; set exactly when the cadence is. */
    reportDueDay: integer(),
  },
  (t) => [
    unique().on(t.documentId, t.position),
    check('task_lists_report_cadence', sql`${t.reportCadence} in ('monthly', 'quarterly')`),
    // Day 28 at most, so every month has the day.
    check('task_lists_report_due_day', sql`(${t.reportCadence} is null) = (${t.reportDueDay} is null) and ${t.reportDueDay} between 1 and 28`),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentPartRow = typeof documentParts.$inferSelect;
export type ArticleRow = typeof articles.$inferSelect;
export type TaskListRow = typeof taskLists.$inferSelect;
