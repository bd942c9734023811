import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { agencies, agencyMembers, type ApiKeyRow, apiKeys, type KeyRole } from '../../db/schema/index.js';
import { digest, generateKey, parseKey, secretMatches } from '../../domain/api-keys.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import type { Principal } from '../../domain/permissions.js';
import { idAfter, paginate } from '../common/cursor.js';
import type { KeyCache, StoredKey } from './key-cache.js';
import type { ApiKey } from './schemas.js';

/** The principal a presented key stands for, or null when it is malformed, unknown, revoked or wrong. */
export async function authenticateKey(db: Database, key: string, cache: KeyCache): Promise<Principal | null> {
  const parsed = parseKey(key);
  if (!parsed) return null;
  const stored = await cache.lookup(parsed.id, () => findUsableKey(db, parsed.id));
  if (!stored || !secretMatches(parsed.secret, stored.secretHash)) return null;
  return { keyId: parsed.id, role: stored.role, agencyId: stored.agencyId };
}

async function findUsableKey(db: Database, id: string): Promise<StoredKey | null> {
  const [row] = await db
    .select({ role: apiKeys.role, agencyId: apiKeys.agencyId, secretHash: apiKeys.secretHash })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export async function createKey(
  db: Database,
  input: { role: KeyRole; agencyId?: string | undefined; label: string },
  context: { createdBy: string | null; now: Date },
): Promise<ApiKey & { key: string }> {
  if ((input.role === 'agency') !== (input.agencyId !== undefined)) {
    throw new InvalidInputError('An agency key names its agency; keys of other roles name none.', [
      { location: 'body', path: 'agencyId', message: input.role === 'agency' ? 'required for role agency' : `not allowed for role ${input.role}` },
    ]);
  }
  if (input.agencyId !== undefined) {
    const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, input.agencyId));
    if (!agency) throw new InvalidInputError(`No agency with id "${input.agencyId}".`, [{ location: 'body', path: 'agencyId', message: 'unknown agency' }]);
  }
  const generated = generateKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: generated.id,
      role: input.role,
      agencyId: input.agencyId ?? null,
      label: input.label,
      secretHash: generated.secretHash,
      createdAt: context.now,
      createdBy: context.createdBy,
    })
    .returning();
  return { ...toApiKey(row!), key: generated.key };
}

/** Makes BOOTSTRAP_ADMIN_KEY usable: stores it as an admin key unless a key with its id exists. */
export async function ensureBootstrapKey(db: Database, key: string, now: Date): Promise<boolean> {
  const parsed = parseKey(key);
  if (!parsed) throw new Error('BOOTSTRAP_ADMIN_KEY is malformed');
  const inserted = await db
    .insert(apiKeys)
    .values({ id: parsed.id, role: 'admin', agencyId: null, label: 'bootstrap admin (BOOTSTRAP_ADMIN_KEY)', secretHash: digest(parsed.secret), createdAt: now })
    .onConflictDoNothing()
    .returning({ id: apiKeys.id });
  return inserted.length > 0;
}

export async function listKeys(db: Database, page: { limit: number; cursor?: string | undefined }) {
  const after = idAfter(page.cursor);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(after === undefined ? undefined : gt(apiKeys.id, after))
    .orderBy(asc(apiKeys.id))
    .limit(page.limit + 1);
  const { rows: keys, nextCursor } = paginate(rows, page.limit, (row) => [row.id]);
  return { items: keys.map(toApiKey), nextCursor };
}

/** Revokes a key; revoking a revoked key changes nothing and is not an error. */
export async function revokeKey(db: Database, id: string, now: Date): Promise<void> {
  const [row] = await db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
  if (!row) throw new NotFoundError('API key', id);
  if (row.revokedAt === null) await db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
}

export async function describePrincipal(db: Database, principal: Principal) {
  const [agency] = principal.agencyId ? await db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, principal.agencyId)) : [];
  const groups = principal.agencyId
    ? await db.select({ id: agencyMembers.groupId }).from(agencyMembers).where(eq(agencyMembers.memberId, principal.agencyId)).orderBy(asc(agencyMembers.groupId))
    : [];
  return { keyId: principal.keyId, role: principal.role, agencyId: principal.agencyId, agencyName: agency?.name ?? null, groupIds: groups.map((g) => g.id) };
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    role: row.role,
    agencyId: row.agencyId,
    label: row.label,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
