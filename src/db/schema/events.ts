import { bigint, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { tasks } from './tasks.js';

/**
 * The ledger. Rows are append-only (a trigger in the migrations rejects UPDATE and DELETE);
 * each task's events form a hash chain: hash = sha256(prevHash ‖ canonical JSON of the event).
 */
export const taskEvents = pgTable(
  'task_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: text()
      .notNull()
      .references(() => tasks.id),
    seq: integer().notNull(),
    type: text().notNull(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    actorKeyId: text(),
    actorAgencyId: text(),
    actorRole: text().notNull(),
    changes: jsonb().$type<Record<string, unknown>>().notNull(),
    note: text(),
    evidence: jsonb().$type<string[]>().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [unique().on(t.taskId, t.seq), index().on(t.at)],
);

export type TaskEventRow = typeof taskEvents.$inferSelect;
export type NewTaskEventRow = typeof taskEvents.$inferInsert;
