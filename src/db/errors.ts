import { DrizzleQueryError } from 'drizzle-orm/errors';

/** What PostgreSQL (pg or PGlite) attaches to an error it raised. */
interface PostgresError extends Error {
  code?: string;
  severity?: string;
  routine?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** The driver's error under drizzle's wrapper, whose message carries the SQL and its parameters. */
function driverError(error: unknown): PostgresError | null {
  let current = error;
  while (current instanceof DrizzleQueryError) current = current.cause;
  return current instanceof Error ? (current as PostgresError) : null;
}

// SQLSTATE classes and codes that say "the database is not there right now", not "the request is wrong":
// 08 connection exception, 57P01–57P03 shutdown / crash / not accepting connections yet, 53300 too
// many connections, 57014 a statement cancelled by statement_timeout, 25P03 idle-in-transaction timeout.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '25P03']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres raises these as plain Errors, without a code.
const DRIVER_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /not queryable/, /^Query read timeout/, /Cannot use a pool after calling end/];

/** True when the error means the database could not be reached or did not answer in time. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = driverError(error);
  if (!cause) return false;
  const code = cause.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || NETWORK_CODES.has(code)) return true;
  }
  if (cause instanceof AggregateError) return cause.errors.some((inner) => isDatabaseUnavailable(inner));
  return DRIVER_MESSAGES.some((pattern) => pattern.test(cause.message));
}

/**
 * True for SQLSTATE class 22 (data exception: a NUL byte, a number out of range …). Validation
 * refuses such values before they reach SQL; this is the net under it, so a value that slips
 * through is still the client's 400 and not a 500.
 */
export function isDataException(error: unknown): boolean {
  const code = driverError(error)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * An error as it may be logged: the SQLSTATE and where it arose, never the SQL parameters
 * (drizzle puts them in its message) nor PostgreSQL's message and detail, which quote the
 * offending values (request text, keys) back.
 */
export function loggableError(error: unknown): Record<string, unknown> | null {
  const cause = driverError(error);
  const sqlstate = typeof cause?.code === 'string' && /^[0-9A-Z]{5}$/.test(cause.code) ? cause.code : null;
  if (!(error instanceof DrizzleQueryError) && sqlstate === null) return null;
  return {
    type: 'DatabaseError',
    query: error instanceof DrizzleQueryError ? error.query : null,
    code: cause?.code ?? null,
    severity: cause?.severity ?? null,
    routine: cause?.routine ?? null,
    table: cause?.table ?? null,
    column: cause?.column ?? null,
    constraint: cause?.constraint ?? null,
    // Network and driver messages (ECONNREFUSED, "Connection terminated") carry no request data.
    message: sqlstate === null ? (cause?.message ?? null) : null,
  };
}
