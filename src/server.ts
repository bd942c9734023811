import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirInUseError, openDatabase } from './db/client.js';
import { loggableError } from './db/errors.js';
import { prepareDatabase } from './db/prepare.js';
import { ensureBootstrapKey } from './modules/api-keys/service.js';
import { startHousekeeping } from './modules/common/housekeeping.js';
import { createReminderScheduler } from './modules/reminders/scheduler.js';
import { createDispatcher } from './modules/webhooks/dispatcher.js';

async function main() {
  const config = loadConfig();
  let app: FastifyInstance | undefined;
  const database = await openDatabase(config.database, {
    onConnectionError: (error) => app?.log.warn({ err: loggableError(error) ?? error }, 'a database connection was lost; the pool opens a new one when needed'),
  });
  const clock = () => new Date();
  const { tasksCreated } = await prepareDatabase(database, clock());
  app = await buildApp({ config, db: database.db, clock, notifications: database });
  app.log.info({ engine: database.engine, tasksCreated }, 'database migrated and seeded');
  if (config.bootstrapAdminKey && (await ensureBootstrapKey(database.db, config.bootstrapAdminKey, clock()))) {
    app.log.info('bootstrap admin key stored (BOOTSTRAP_ADMIN_KEY)');
  }

  const housekeeping = startHousekeeping({ db: database.db, clock, idempotencyRetentionHours: config.idempotencyRetentionHours, logger: app.log.child({ component: 'housekeeping' }) });
  const dispatcher = createDispatcher({ db: database.db, clock, settings: config.webhooks, logger: app.log.child({ component: 'webhooks' }) });
  const scheduler = createReminderScheduler({ db: database.db, clock, settings: config.reminders, logger: app.log.child({ component: 'reminders' }) });

  // In-flight requests and webhook sends finish (Fastify stops accepting, then drains) before the database closes.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    await Promise.all([app.close(), dispatcher.stop(), scheduler.stop(), housekeeping.stop()]);
    app.log.info('http server, webhook dispatcher and reminder scheduler stopped');
    await database.close();
    app.log.info('database closed');
  });

  await app.listen({ port: config.port, host: config.host });
  if (config.webhooks.dispatch) dispatcher.start();
  if (config.reminders.schedule) scheduler.start();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
