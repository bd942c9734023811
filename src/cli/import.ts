/**
 * npm run import -- <file.json|file.yaml> [--dry-run] — checks an import file whole and applies it to the
 * configured database (README, "Bringing a list"); with problems, lists each as file:line path.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { prepareDatabase } from '../db/prepare.js';
import { formatIssues } from '../db/seed.js';
import { ImportRejectedError } from '../domain/errors.js';
import { SYSTEM_ACTOR } from '../domain/ledger.js';
import { importText } from '../modules/documents/importing.js';
import { runCli, UsageError } from './run.js';

await runCli(async () => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  const [path] = positionals;
  if (!path || positionals.length > 1) throw new UsageError('usage: npm run import -- <file.json|file.yaml> [--dry-run]');
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await prepareDatabase(database, new Date());
    const summary = await importText(database.db, text, /\.ya?ml$/i.test(path) ? 'yaml' : 'json', { now: new Date(), actor: SYSTEM_ACTOR, source: 'cli', dryRun: values['dry-run'] });
    console.log(JSON.stringify(summary, null, 2));
  } catch (error) {
    if (error instanceof ImportRejectedError) {
      console.error(formatIssues(path, error.issues));
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await database.close();
  }
});
