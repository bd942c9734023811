import { pgEnum, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const agencyKind = pgEnum('agency_kind', [
  'municipal_department',
  'district_government',
  'party_organ',
  'central_branch',
  'ministry',
  'mass_organization',
  'group',
]);

/** A responsible unit; name is the short form as written in the source (市教委). */
export const agencies = pgTable('agencies', {
  id: text().primaryKey(),
  name: text().notNull().unique(),
  fullName: text().notNull(),
  nameEn: text().notNull(),
  kind: agencyKind().notNull(),
});

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
export type AgencyKind = (typeof agencyKind.enumValues)[number];
