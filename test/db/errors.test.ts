import { DrizzleQueryError } from 'drizzle-orm/errors';
import t from 'tap';
import { isDataException, isDatabaseUnavailable, loggableError } from '../../src/db/errors.js';

function postgresError(code: string, message: string) {
  return Object.assign(new Error(message), { code, severity: 'ERROR', routine: 'report_invalid_encoding', detail: `Key (note)=(${message})` });
}

t.test('a database error is logged without its parameters or the values PostgreSQL quotes back', async (t) => {
  const secret = '市人社局-secret-note';
  const wrapped = new DrizzleQueryError('insert into "task_events" ("note") values ($1)', [secret, 'dbn_abcdefabcdef_SECRET'], postgresError('22021', `invalid byte sequence: ${secret}`));
  const logged = JSON.stringify(loggableError(wrapped));
  t.notMatch(logged, secret);
  t.notMatch(logged, 'SECRET');
  t.match(loggableError(wrapped), { type: 'DatabaseError', code: '22021', query: /insert into "task_events"/, message: null });
  t.match(loggableError(postgresError('23505', secret)), { code: '23505', message: null }, 'an unwrapped driver error too');
  t.equal(loggableError(new Error('plain')), null, 'other errors are logged as they are');
});

t.test('what counts as the database being away, and what as a value it refused', async (t) => {
  const wrap = (cause: Error) => new DrizzleQueryError('select 1', [], cause);
  for (const cause of [
    postgresError('57P01', 'terminating connection due to administrator command'),
    postgresError('08006', 'connection failure'),
    postgresError('57014', 'canceling statement due to statement timeout'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
  ]) {
    t.ok(isDatabaseUnavailable(wrap(cause)), cause.message);
    t.ok(isDatabaseUnavailable(cause), `${cause.message}, unwrapped`);
  }
  t.ok(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1'), { code: 'ECONNREFUSED' })])), 'both addresses of localhost refused');
  t.notOk(isDatabaseUnavailable(wrap(postgresError('23505', 'duplicate key'))));
  t.notOk(isDatabaseUnavailable(new Error('something else')));
  t.ok(isDataException(wrap(postgresError('22003', 'integer out of range'))));
  t.notOk(isDataException(wrap(postgresError('57P01', 'shutdown'))));
});
