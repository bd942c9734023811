import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';

/**
 * Status-board sign-ins. The browser holds a random token; only its SHA-256 digest is stored,
 * with the key it was exchanged for, so a session reads as that key and ends when it is revoked.
 */
export const boardSessions = pgTable(
  'board_sessions',
  {
    tokenHash: text().primaryKey(),
    apiKeyId: text()
      .notNull()
      .references(() => apiKeys.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('board_sessions_expires_at_idx').on(t.expiresAt)],
);
