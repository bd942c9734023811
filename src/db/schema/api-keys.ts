import { sql } from 'drizzle-orm';
import { check, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { agencies } from './agencies.js';

export const keyRole = pgEnum('key_role', ['admin', 'supervisor', 'agency', 'auditor']);

/**
 * API keys. Only a SHA-256 digest of the secret is stored; the key itself is shown once, when
 * it is created. An agency key is bound to exactly one agency, and no other role has one.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text().primaryKey(),
    role: keyRole().notNull(),
    agencyId: text().references(() => agencies.id),
    label: text().notNull(),
    secretHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    createdBy: text(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [check('api_keys_agency_binding', sql`(${t.role} = 'agency') = (${t.agencyId} is not null)`)],
);

/**
 * The first response to a request sent with an Idempotency-Key, kept so that a retry of the same
 * request gets the same answer and a different request under the same key is refused.
 */
export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    apiKeyId: text()
      .notNull()
      .references(() => apiKeys.id),
    key: text().notNull(),
    requestHash: text().notNull(),
    status: integer().notNull(),
    body: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] })],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type KeyRole = (typeof keyRole.enumValues)[number];
