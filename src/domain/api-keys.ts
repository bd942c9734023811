import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key reads dbn_<id>_<secret>: the id (public, names the key in logs, the ledger and
 * DELETE /v1/api-keys/{id}) finds the stored record, and the 256-bit secret is checked against
 * its stored SHA-256 digest in constant time. A key is never stored, logged, or shown twice.
 */
const KEY_PATTERN = /^dbn_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  id: string;
  key: string;
  secretHash: string;
}

export function generateKey(): GeneratedKey {
  const id = randomBytes(8).toString('hex').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `dbn_${id}_${secret}`, secretHash: digest(secret) };
}

export function parseKey(key: string): { id: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function isWellFormedKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(digest(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
