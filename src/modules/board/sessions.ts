import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, boardSessions } from '../../db/schema/index.js';
import type { Principal } from '../../domain/permissions.js';

/** A working day: long enough to read through a bulletin, short enough that a forgotten browser signs out by itself. */
export const SESSION_HOURS = 8;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Opens a session for a key already authenticated; returns the token for the cookie, which only the browser keeps. */
export async function openSession(db: Database, keyId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  // Expired sessions go when new ones come, which keeps the table as small as its live sessions.
  await db.delete(boardSessions).where(lte(boardSessions.expiresAt, now));
  await db.insert(boardSessions).values({ tokenHash: tokenHash(token), apiKeyId: keyId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000) });
  return token;
}

/** The key a session reads as, while the session is unexpired and its key unrevoked; null otherwise. */
export async function sessionPrincipal(db: Database, token: string, now: Date): Promise<Principal | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, role: apiKeys.role, agencyId: apiKeys.agencyId })
    .from(boardSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, boardSessions.apiKeyId))
    .where(and(eq(boardSessions.tokenHash, tokenHash(token)), gt(boardSessions.expiresAt, now), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export async function closeSession(db: Database, token: string): Promise<void> {
  await db.delete(boardSessions).where(eq(boardSessions.tokenHash, tokenHash(token)));
}
