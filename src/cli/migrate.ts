/** npm run db:migrate — applies pending migrations to the configured database, then exits. */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { runCli } from './run.js';

await runCli(async () => {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await runMigrations(database);
    console.log(`migrations applied (${database.engine})`);
  } finally {
    await database.close();
  }
});
