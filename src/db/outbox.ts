import { type SQL, sql } from 'drizzle-orm';
import type { Transaction } from './client.js';

/**
 * The subscriptions (aliased s) that want something of this type about task t: its event types,
 * list and agency (directly or through a group the agency belongs to).
 */
function wantedBy(type: SQL): SQL {
  return sql`s.status = 'active'
      and (cardinality(s.event_types) = 0 or ${type} = any(s.event_types))
      and (s.list_id is null or s.list_id = t.list_id)
      and (s.agency_id is null or exists (
        select 1 from task_assignments a
        where a.task_id = t.id
          and (a.agency_id = s.agency_id or a.agency_id in (select m.group_id from agency_members m where m.member_id = s.agency_id))))`;
}

/**
 * The transactional outbox: for the events at positions first..last, one delivery row per active
 * subscription that wants them. Runs in the transaction that appends the events, so a delivery
 * exists exactly when its event committed, and a rolled-back change leaves nothing to send. The
 * subscriptions are locked against deletion for the statement (a subscription deleted meanwhile
 * is skipped, not a foreign-key error in someone's task write).
 */
export async function enqueueDeliveries(tx: Transaction, first: number, last: number): Promise<void> {
  await tx.execute(sql`
    insert into webhook_deliveries (subscription_id, event_id, next_attempt_at, created_at)
    select s.id, e.id, e.at, e.at
    from task_events e
    join tasks t on t.id = e.task_id
    join webhook_subscriptions s on ${wantedBy(sql`e.type`)}
    where e.id between ${first} and ${last}
    for key share of s`);
}

/** The same for reminders, in the transaction that inserts them: a reminder that committed has its deliveries. */
export async function enqueueReminderDeliveries(tx: Transaction, reminderIds: readonly number[]): Promise<void> {
  if (reminderIds.length === 0) return;
  await tx.execute(sql`
    insert into webhook_deliveries (subscription_id, reminder_id, next_attempt_at, created_at)
    select s.id, r.id, r.fired_at, r.fired_at
    from reminders r
    join tasks t on t.id = r.task_id
    join webhook_subscriptions s on ${wantedBy(sql`r.kind`)}
    where r.id in (${sql.join(reminderIds.map((id) => sql`${id}`), sql`, `)})
    for key share of s`);
}
