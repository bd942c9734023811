import { date, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';

/** A policy document as issued; its text lives in its articles. */
export const documents = pgTable('documents', {
  id: text().primaryKey(),
  title: text().notNull(),
  issuers: text().array().notNull(),
  issuedOn: date({ mode: 'string' }),
  docNumber: text(),
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
    title: text().notNull(),
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
    title: text().notNull(),
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
  },
  (t) => [unique().on(t.documentId, t.position)],
);

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentPartRow = typeof documentParts.$inferSelect;
export type ArticleRow = typeof articles.$inferSelect;
export type TaskListRow = typeof taskLists.$inferSelect;
