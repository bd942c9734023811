import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { type ReminderKind, type ReminderRow, reminders, tasks } from '../../db/schema/index.js';
import type { Principal } from '../../domain/permissions.js';
import { cursorParts, decodeCursor, paginate } from '../common/cursor.js';
import { assignedTo } from '../tasks/service.js';
import type { Reminder, ReminderQuery } from './schemas.js';

export function toReminder(row: ReminderRow & { listId: string }): Reminder {
  return {
    id: row.id,
    kind: row.kind as ReminderKind,
    taskId: row.taskId,
    listId: row.listId,
    occurrence: row.occurrence,
    dueDate: row.dueDate,
    agencyId: row.agencyId,
    period: row.period,
    firedAt: row.firedAt.toISOString(),
  };
}

const reminderCursor = z.tuple([cursorParts.position]);

/**
 * The reminders that fired, in the order they did (id), for consumers without webhooks. An agency
 * key sees those of its own tasks (assigned to it or to a group it belongs to), as its webhooks would.
 */
export async function listReminders(db: Database, query: ReminderQuery, principal: Principal) {
  const after = Math.max(query.cursor ? decodeCursor(query.cursor, reminderCursor)[0] : 0, query.since ?? 0);
  const filters: (SQL | undefined)[] = [gt(reminders.id, after)];
  if (query.kind) filters.push(eq(reminders.kind, query.kind));
  if (query.list) filters.push(eq(tasks.listId, query.list));
  if (query.agency) filters.push(assignedTo(db, query.agency, undefined));
  // An agency key is always bound to its agency (domain/permissions.ts).
  if (principal.role === 'agency') filters.push(assignedTo(db, principal.agencyId!, undefined));
  const rows = await db
    .select({ reminder: reminders, listId: tasks.listId })
    .from(reminders)
    .innerJoin(tasks, eq(tasks.id, reminders.taskId))
    .where(and(...filters))
    .orderBy(asc(reminders.id))
    .limit(query.limit + 1);
  const { rows: page, nextCursor } = paginate(rows, query.limit, (row) => [row.reminder.id]);
  return { items: page.map((row) => toReminder({ ...row.reminder, listId: row.listId })), nextCursor };
}
