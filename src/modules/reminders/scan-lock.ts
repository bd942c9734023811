import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';

/**
 * Takes the reminder scan's advisory lock for the rest of the transaction, or says another process
 * holds it. It only spares a second process the same scan; what makes a reminder fire once is the
 * reminders table's unique key.
 */
export async function holdScanLock(tx: Transaction): Promise<boolean> {
  const result = (await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext('duban reminder scan')) as locked`)) as unknown as { rows: { locked: boolean }[] };
  return result.rows[0]?.locked === true;
}
