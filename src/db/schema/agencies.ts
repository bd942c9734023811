import { sql } from 'drizzle-orm';
import { type AnyPgColumn, check, index, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';

/**
 * A responsible unit; name is the short form as written in the source (市教委, 教务处). Units form
 * a tree (a college and its offices), so a name is unique among its parent's units only; kind is
 * data (college, department, leading_group …) that a document may bring, not a fixed list.
 */
export const agencies = pgTable(
  'agencies',
  {
    id: text().primaryKey(),
    name: text().notNull(),
    fullName: text().notNull(),
    nameEn: text().notNull(),
    kind: text().notNull(),
    parentId: text().references((): AnyPgColumn => agencies.id),
  },
  (t) => [
    unique('agencies_parent_name_unique').on(t.parentId, t.name).nullsNotDistinct(),
    index().on(t.parentId),
    check('agencies_kind_format', sql`${t.kind} ~ '^[a-z][a-z0-9_]{0,49}$'`),
  ],
);

/** Group membership: a member acts for tasks assigned to its group (各区人民政府 → each district). */
export const agencyMembers = pgTable(
  'agency_members',
  {
    groupId: text()
      .notNull()
      .references(() => agencies.id),
    memberId: text()
      .notNull()
      .references(() => agencies.id),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.memberId] })],
);

export type AgencyRow = typeof agencies.$inferSelect;
