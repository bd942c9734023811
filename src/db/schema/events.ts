import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { HashVersion, TaskState } from '../../domain/ledger.js';
import { tasks } from './tasks.js';

/**
 * The ledger. Rows are append-only (a trigger in the migrations rejects UPDATE and DELETE);
 * each task's events form a hash chain: hash = sha256(prevHash ‖ canonical JSON of the event).
 */
export const taskEvents = pgTable(
  'task_events',
  {
    /** Place in the whole ledger, from 1: gap-free and in commit order (see ledgerState), so a cursor over it never misses an event. */
    id: bigint({ mode: 'number' }).primaryKey(),
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
    state: jsonb().$type<TaskState>().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    /** The recipe the hash was computed with (domain/ledger.ts): events keep theirs, so older chains still verify. */
    hashVersion: integer().$type<HashVersion>().notNull(),
  },
  (t) => [
    unique().on(t.taskId, t.seq),
    // When each agency last reported, as of any moment: one index probe per agency.
    index('task_events_reports_by_agency_idx').on(t.actorAgencyId, t.at).where(sql`${t.type} = 'progress_reported'`),
  ],
);

export type TaskEventRow = typeof taskEvents.$inferSelect;
export type NewTaskEventRow = typeof taskEvents.$inferInsert;

/**
 * One row holding the ledger's last position. Every transaction that appends events increments
 * it, which also holds its row lock until commit: appends are serialised, so positions are
 * assigned in commit order with no gaps, on one process or many.
 */
export const ledgerState = pgTable(
  'ledger_state',
  {
    id: integer().primaryKey(),
    position: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [check('ledger_state_single_row', sql`${t.id} = 1`)],
);
