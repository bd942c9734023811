/**
 * npm run keys -- generate
 *     prints a fresh key in the right format, e.g. for BOOTSTRAP_ADMIN_KEY; stores nothing.
 * npm run keys -- create --role <admin|supervisor|agency|auditor> [--agency <id>] --label <text>
 *     stores a key in the configured database and prints it, once.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { prepareDatabase } from '../db/prepare.js';
import { keyRole, type KeyRole } from '../db/schema/index.js';
import { generateKey } from '../domain/api-keys.js';
import { createKey } from '../modules/api-keys/service.js';
import { runCli } from './run.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, agency: { type: 'string' }, label: { type: 'string' } },
});

if (positionals[0] === 'generate') {
  console.log(generateKey().key);
} else if (positionals[0] === 'create') {
  if (!values.role || !(keyRole.enumValues as readonly string[]).includes(values.role) || !values.label) {
    console.error(`usage: npm run keys -- create --role <${keyRole.enumValues.join('|')}> [--agency <id>] --label <text>`);
    process.exit(2);
  }
  const { role, agency, label } = { role: values.role as KeyRole, agency: values.agency, label: values.label };
  await runCli(async () => {
    const database = await openDatabase(loadConfig().database);
    try {
      await prepareDatabase(database, new Date());
      const created = await createKey(database.db, { role, agencyId: agency, label }, { createdBy: null, now: new Date() });
      console.log(`created key ${created.id} (${created.role}${created.agencyId ? `, ${created.agencyId}` : ''}); store it now, it is not shown again:`);
      console.log(created.key);
    } finally {
      await database.close();
    }
  });
} else {
  console.error('usage: npm run keys -- generate | create --role … [--agency …] --label …');
  process.exit(2);
}
