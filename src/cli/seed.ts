/** npm run db:seed — migrates, then loads seeds/ into the configured database; running it again changes nothing. */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { prepareDatabase } from '../db/prepare.js';
import { runCli } from './run.js';

await runCli(async () => {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    const { tasksCreated } = await prepareDatabase(database, new Date());
    console.log(`seeded (${database.engine}): ${tasksCreated} task(s) created`);
  } finally {
    await database.close();
  }
});
