import { and, asc, eq, gt, isNotNull, lte, notExists, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database, Transaction } from '../../db/client.js';
import { isDatabaseUnavailable, loggableError } from '../../db/errors.js';
import { enqueueReminderDeliveries } from '../../db/outbox.js';
import { type ReminderKind, reminders, tasks } from '../../db/schema/index.js';
import { dueReminder } from '../../domain/reminders.js';
import { addDays, utcDate } from '../../domain/task-state.js';
import { isOpen } from '../common/task-conditions.js';
import { cadencedLists } from '../task-lists/service.js';
import { fireMissingReports } from './missing-reports.js';
import { holdScanLock } from './scan-lock.js';

export interface SchedulerDeps {
  db: Database;
  clock: () => Date;
  settings: Config['reminders'];
  logger: FastifyBaseLogger;
}

/** Tasks looked at per transaction, so a first pass over a large database holds no lock for long. */
const BATCH = 500;

const dueOccurrence = sql<string>`to_char(${tasks.dueDate}, 'YYYY-MM-DD')`;

/**
 * One batch of a pass, in one transaction: the open work items after `after` (by id) due within
 * the window, with the kinds already fired for their due date; the reminders domain/reminders.ts
 * says are due and have not fired, inserted, and their webhook deliveries with them. The insert
 * skips a (task, kind, occurrence) that exists, so a reminder fires once whatever else runs; the
 * advisory lock only spares a second process the same scan (it skips the pass while the lock is
 * held). A task written meanwhile may be reminded of the due date it had when read: the reminder
 * names that date.
 */
async function fireBatch(tx: Transaction, now: Date, dueSoonDays: number, after: string): Promise<{ fired: number; last: string | null } | null> {
  if (!(await holdScanLock(tx))) return null;
  const rows = await tx
    .select({
      id: tasks.id,
      status: tasks.status,
      dueDate: tasks.dueDate,
      childCount: tasks.childCount,
      // Spelt out: drizzle leaves a one-table select's columns unqualified, which the subquery would read as its own.
      fired: sql<ReminderKind[]>`coalesce((select array_agg(r.kind) from reminders r where r.task_id = "tasks"."id" and r.occurrence = to_char("tasks"."due_date", 'YYYY-MM-DD')), '{}')`,
    })
    .from(tasks)
    .where(
      and(
        gt(tasks.id, after),
        eq(tasks.childCount, 0),
        isNotNull(tasks.dueDate),
        lte(tasks.dueDate, addDays(utcDate(now), dueSoonDays)),
        isOpen({ status: tasks.status }),
        // The overdue notice is the last a due date gets.
        notExists(
          tx
            .select({ one: sql`1` })
            .from(reminders)
            .where(and(eq(reminders.taskId, tasks.id), eq(reminders.kind, 'task.overdue'), eq(reminders.occurrence, dueOccurrence))),
        ),
      ),
    )
    .orderBy(asc(tasks.id))
    .limit(BATCH);
  const due = rows.flatMap((row) => {
    const reminder = dueReminder(row, now, dueSoonDays);
    return reminder && !row.fired.includes(reminder.kind) ? [{ taskId: row.id, ...reminder, dueDate: row.dueDate, firedAt: now }] : [];
  });
  const inserted = due.length > 0 ? await tx.insert(reminders).values(due).onConflictDoNothing().returning({ id: reminders.id }) : [];
  await enqueueReminderDeliveries(
    tx,
    inserted.map((row) => row.id),
  );
  return { fired: inserted.length, last: rows.length === BATCH ? rows.at(-1)!.id : null };
}

export interface ReminderScheduler {
  /** One pass over the tasks, and the lists with a cadence, as of the clock's now; resolves with how many reminders fired (0 when another process holds the scan). */
  runOnce(): Promise<number>;
  /** Runs a pass every pollMs until stopped. */
  start(): void;
  /** Stops and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function createReminderScheduler(deps: SchedulerDeps): ReminderScheduler {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  const runOnce = async () => {
    const now = deps.clock();
    let fired = 0;
    for (let after: string | null = ''; after !== null; ) {
      const from: string = after;
      const batch = await deps.db.transaction((tx) => fireBatch(tx, now, deps.settings.dueSoonDays, from));
      if (batch === null) break;
      fired += batch.fired;
      after = batch.last;
    }
    for (const list of await cadencedLists(deps.db)) {
      const count = await deps.db.transaction((tx) => fireMissingReports(tx, now, list));
      if (count === null) break;
      fired += count;
    }
    return fired;
  };

  const tick = () => {
    running = runOnce()
      .then((fired) => {
        if (fired > 0) deps.logger.info({ fired }, 'reminders fired');
      })
      .catch((error: unknown) => {
        if (isDatabaseUnavailable(error)) deps.logger.warn({ err: loggableError(error) }, 'reminders paused: the database does not answer; retrying at the next poll');
        else deps.logger.error({ err: loggableError(error) ?? error }, 'reminder pass failed; retrying at the next poll');
      })
      .then(() => {
        if (stopped) return;
        timer = setTimeout(tick, deps.settings.pollMs);
        timer.unref();
      });
  };

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
