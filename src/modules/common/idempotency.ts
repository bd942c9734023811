import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, lt } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.js';
import { idempotencyRecords } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyScope {
  apiKeyId: string;
  key: string;
  /** What the request asked for; the same key with another request is refused. */
  request: unknown;
  now: Date;
}

/**
 * Runs a write once per (key, Idempotency-Key). The record is claimed inside the write's own
 * transaction: a concurrent duplicate waits on the claim, then finds the committed answer and
 * replays it; a failed write rolls its claim back, so a retry runs afresh.
 */
export async function runIdempotent(
  db: Database,
  scope: IdempotencyScope | null,
  write: (tx: Transaction) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (scope === null) return { ...(await db.transaction(write)), replayed: false };
  const requestHash = createHash('sha256')
    .update(canonicalize(scope.request) ?? '')
    .digest('hex');
  const outcome = await db.transaction(async (tx) => {
    const claimed = await tx
      .insert(idempotencyRecords)
      .values({ apiKeyId: scope.apiKeyId, key: scope.key, requestHash, status: 0, body: {}, createdAt: scope.now })
      .onConflictDoNothing()
      .returning({ key: idempotencyRecords.key });
    if (claimed.length === 0) return null;
    const response = await write(tx);
    await tx
      .update(idempotencyRecords)
      .set({ status: response.status, body: response.body as object })
      .where(and(eq(idempotencyRecords.apiKeyId, scope.apiKeyId), eq(idempotencyRecords.key, scope.key)));
    return response;
  });
  if (outcome) return { ...outcome, replayed: false };

  const [stored] = await db
    .select()
    .from(idempotencyRecords)
    .where(and(eq(idempotencyRecords.apiKeyId, scope.apiKeyId), eq(idempotencyRecords.key, scope.key)));
  if (!stored) throw new Error('idempotency record vanished between claim and read');
  if (stored.requestHash !== requestHash) {
    throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used with a different request; use a new key for a new request.');
  }
  return { status: stored.status, body: stored.body, replayed: true };
}

/**
 * Forgets the answers older than the retention: a retry after that runs as a new request. Each
 * record is a whole response, so keeping them for ever would grow without bound.
 */
export async function pruneIdempotencyRecords(db: Database, now: Date, retentionHours: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionHours * 3_600_000);
  const deleted = await db.delete(idempotencyRecords).where(lt(idempotencyRecords.createdAt, cutoff)).returning({ key: idempotencyRecords.key });
  return deleted.length;
}

/**
 * A POST that honours Idempotency-Key (per API key): the write runs once for what it asked for,
 * a retry gets the stored answer marked Idempotent-Replayed, and the reply carries its status.
 * Without the header, or without a key, the write simply runs.
 */
export async function answerOnce<T>(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  write: { asked: unknown; now: Date; status: number; run: (tx: Transaction) => Promise<T> },
): Promise<T> {
  const key = request.headers['idempotency-key'];
  const apiKeyId = request.principal.keyId;
  const scope = typeof key === 'string' && apiKeyId ? { apiKeyId, key, request: write.asked, now: write.now } : null;
  const outcome = await runIdempotent(db, scope, async (tx) => ({ status: write.status, body: await write.run(tx) }));
  if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
  void reply.code(outcome.status);
  return outcome.body as T;
}
