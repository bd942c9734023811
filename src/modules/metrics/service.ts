import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { ledgerState, webhookDeliveries } from '../../db/schema/index.js';

/** What a scrape reads from the database: where the ledger stands and how the webhook outbox is doing. */
export interface OperationalState {
  ledgerPosition: number;
  deliveriesPending: number;
  deliveriesFailed: number;
}

export async function readOperationalState(db: Database): Promise<OperationalState> {
  const [[ledger], counts] = await Promise.all([
    db.select({ position: ledgerState.position }).from(ledgerState).where(eq(ledgerState.id, 1)),
    db
      .select({ status: webhookDeliveries.status, count: sql<number>`count(*)::int` })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.status, ['pending', 'failed']))
      .groupBy(webhookDeliveries.status),
  ]);
  const count = (status: string) => counts.find((row) => row.status === status)?.count ?? 0;
  return { ledgerPosition: ledger?.position ?? 0, deliveriesPending: count('pending'), deliveriesFailed: count('failed') };
}
