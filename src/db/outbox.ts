import { sql } from 'drizzle-orm';
import type { Transaction } from './client.js';

/**
 * The transactional outbox: for the events at positions first..last, one delivery row per active
 * subscription that wants them (its event types, list and agency — directly or through a group the
 * agency belongs to). Runs in the transaction that appends the events, so a delivery exists exactly
 * when its event committed, and a rolled-back change leaves nothing to send. The subscriptions are
 * locked against deletion for the statement (a subscription deleted meanwhile is skipped, not a
 * foreign-key error in someone's task write).
 */
export async function enqueueDeliveries(tx: Transaction, first: number, last: number): Promise<void> {
  await tx.execute(sql`
    insert into webhook_deliveries (subscription_id, event_id, next_attempt_at, created_at)
    select s.id, e.id, e.at, e.at
    from task_events e
    join tasks t on t.id = e.task_id
    join webhook_subscriptions s on s.status = 'active'
      and (cardinality(s.event_types) = 0 or e.type = any(s.event_types))
      and (s.list_id is null or s.list_id = t.list_id)
      and (s.agency_id is null or exists (
        select 1 from task_assignments a
        where a.task_id = e.task_id
          and (a.agency_id = s.agency_id or a.agency_id in (select m.group_id from agency_members m where m.member_id = s.agency_id))))
    where e.id between ${first} and ${last}
    for key share of s`);
}
