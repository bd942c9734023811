import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults give the embedded database in ./data on port 3000', async (t) => {
  const config = loadConfig({});
  t.same(config.database, { engine: 'pglite', dataDir: './data' });
  t.equal(config.port, 3000);
  t.equal(config.staleAfterDays, 30);
  t.ok(Object.isFrozen(config));
});

t.test('DATABASE_URL picks the engine', async (t) => {
  t.same(loadConfig({ DATABASE_URL: 'memory://' }).database, { engine: 'pglite', dataDir: null });
  t.same(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', PG_POOL_MAX: '4', PG_STATEMENT_TIMEOUT_MS: '9000' }).database, {
    engine: 'postgres',
    url: 'postgres://u@h:5432/db',
    poolMax: 4,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 9000,
  });
  t.same(loadConfig({ DATABASE_URL: '' }).database, { engine: 'pglite', dataDir: './data' }, 'empty counts as unset');
});

t.test('bad values are refused with a message naming the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { name: 'ConfigError', message: /PORT/ });
  t.throws(() => loadConfig({ PORT: '70000' }), ConfigError);
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), { message: /DATABASE_URL: must be memory:\/\/ or a postgres/ });
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { message: /LOG_LEVEL/ });
  t.throws(() => loadConfig({ STALE_AFTER_DAYS: '0' }), { message: /STALE_AFTER_DAYS/ });
});
