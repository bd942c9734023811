import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DataDirInUseError, openDatabase } from '../../src/db/client.js';

t.test('one process at a time opens a PGlite data directory', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'duban-lock-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = await openDatabase({ engine: 'pglite', dataDir });
  await t.rejects(openDatabase({ engine: 'pglite', dataDir }), DataDirInUseError, 'a second opener is refused');
  await first.close();
  t.notOk(existsSync(join(dataDir, 'duban.lock')), 'closing releases the lock');

  // A lock whose owner is gone (a crash, a kill -9) is taken over.
  await writeFile(join(dataDir, 'duban.lock'), '2147483646');
  const second = await openDatabase({ engine: 'pglite', dataDir });
  await second.close();
  t.pass('a stale lock does not block');
});
