import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { loggableError } from '../../db/errors.js';
import { pruneIdempotencyRecords } from './idempotency.js';

export interface HousekeepingDeps {
  db: Database;
  clock: () => Date;
  idempotencyRetentionHours: number;
  logger: FastifyBaseLogger;
}

const HOUR_MS = 3_600_000;

/**
 * Hourly chores of every process: deleting what has outlived its retention. Deletes by age are
 * idempotent, so replicas doing the same chore need no coordination. A chore that fails (the
 * database away) is logged and tried again at the next hour; it never throws past this loop.
 */
export function startHousekeeping(deps: HousekeepingDeps): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = pruneIdempotencyRecords(deps.db, deps.clock(), deps.idempotencyRetentionHours)
      .then((deleted) => {
        if (deleted > 0) deps.logger.info({ deleted }, 'idempotency records past their retention deleted');
      })
      .catch((error: unknown) => deps.logger.warn({ err: loggableError(error) ?? error }, 'housekeeping failed; retrying in an hour'));
  };
  run();
  const timer = setInterval(run, HOUR_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
