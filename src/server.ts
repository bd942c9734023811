import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirInUseError, openDatabase } from './db/client.js';
import { prepareDatabase } from './db/prepare.js';
import { ensureBootstrapKey } from './modules/api-keys/service.js';

async function main() {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  const clock = () => new Date();
  const { tasksCreated } = await prepareDatabase(database, clock());
  const app = await buildApp({ config, db: database.db, clock });
  app.log.info({ engine: database.engine, tasksCreated }, 'database migrated and seeded');
  if (config.bootstrapAdminKey && (await ensureBootstrapKey(database.db, config.bootstrapAdminKey, clock()))) {
    app.log.info('bootstrap admin key stored (BOOTSTRAP_ADMIN_KEY)');
  }

  // In-flight requests finish (Fastify stops accepting, then drains) before the database closes.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    app.log.info('http server closed');
    await database.close();
    app.log.info('database closed');
  });

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
