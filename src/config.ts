import { z } from 'zod';
import { isWellFormedKey } from './domain/api-keys.js';

const positiveDays = z.coerce.number().int().min(1).max(3650);

const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^(memory:\/\/|postgres(ql)?:\/\/)/, 'must be memory:// or a postgres:// URL (unset means the embedded database in DATA_DIR)')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PG_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
    PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    STALE_AFTER_DAYS: positiveDays.default(30),
    AMBER_WINDOW_DAYS: positiveDays.default(14),
    PUBLIC_READ: z.enum(['true', 'false']).default('false'),
    BOOTSTRAP_ADMIN_KEY: z
      .string()
      .refine(isWellFormedKey, 'must look like dbn_<12 lowercase letters or digits>_<43 base64url characters>; `npm run keys -- generate` prints one')
      .optional(),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('duban:'),
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
    AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(72_000),
    HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
    IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(87_600).default(24),
    EXPORT_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    WEBHOOK_DISPATCH: z.enum(['true', 'false']).default('true'),
    WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
    WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).max(86_400_000).default(3_600_000),
    WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
    WEBHOOK_LOG_RETENTION_DAYS: positiveDays.default(30),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).default('false'),
    REMINDER_SCHEDULE: z.enum(['true', 'false']).default('true'),
    REMINDER_POLL_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
    REMINDER_DUE_SOON_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    database: databaseTarget(env),
    /** Days without a progress report after which an open task counts as stale. */
    staleAfterDays: env.STALE_AFTER_DAYS,
    /** Days before its due date at which an open task turns amber. */
    amberWindowDays: env.AMBER_WINDOW_DAYS,
    /** Opens the read routes of documents, lists, tasks, agencies and reports to requests without a key. */
    publicRead: env.PUBLIC_READ === 'true',
    /** Created as an admin key on start when no key with its id exists yet. */
    bootstrapAdminKey: env.BOOTSTRAP_ADMIN_KEY ?? null,
    /** Requests per minute per key (or per address, without one). */
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    /**
     * Where the request budgets and the failed-authentication counts live: in Redis, shared by every
     * process using it (under `prefix`, so deployments can share one server), or, unset, in each process.
     */
    rateLimitStore: env.REDIS_URL ? { redisUrl: env.REDIS_URL, prefix: env.REDIS_KEY_PREFIX } : null,
    /** Once an address has failed authentication with one key id more than this many times in a minute, that id is refused from there until the minute is over. */
    authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
    /** The same over all key ids an address presents (and headers naming none): far higher, so neighbours behind one NAT keep working. */
    authFailuresPerAddressPerMinute: env.AUTH_FAILURES_PER_ADDRESS_PER_MINUTE,
    /**
     * Bounds on what a client can make a connection hold (OWASP API4): slow headers, a body slower
     * (or shorter) than announced, a connection left idle, and how many connections there may be.
     */
    http: {
      /** The whole header block must arrive within this. */
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      /** The whole request, body included, must arrive within this (408 otherwise). */
      requestTimeoutMs: Math.max(env.HTTP_REQUEST_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS),
      /** An idle keep-alive connection is closed after this; keep it above a load balancer's own idle timeout. */
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      /** A connection on which nothing moves either way for this long is closed (a stalled reader of an export included). */
      idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
      /** Connections past this are refused at once. */
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    /** An Idempotency-Key's answer is replayed for this long, then forgotten (hourly). */
    idempotencyRetentionHours: env.IDEMPOTENCY_RETENTION_HOURS,
    /** An export still streaming after this many seconds is aborted. */
    exportMaxSeconds: env.EXPORT_MAX_SECONDS,
    webhooks: {
      /** Run the dispatcher in this process; every process may, they share the work through the outbox. */
      dispatch: env.WEBHOOK_DISPATCH === 'true',
      pollMs: env.WEBHOOK_POLL_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: env.WEBHOOK_RETRY_MAX_MS,
      disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
      /** Delivered and failed deliveries (with their attempts) are deleted this many days after they were created. */
      logRetentionDays: env.WEBHOOK_LOG_RETENTION_DAYS,
      /** Send to private, loopback and link-local addresses too: for tests and on-premises installs whose receivers live there. */
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    },
    reminders: {
      /** Run the reminder scheduler in this process; every process may, the reminders' unique key keeps each to one. */
      schedule: env.REMINDER_SCHEDULE === 'true',
      pollMs: env.REMINDER_POLL_MS,
      /** task.due_soon fires this many days before the due date (0: on the day itself). */
      dueSoonDays: env.REMINDER_DUE_SOON_DAYS,
    },
  }));

export type Config = z.output<typeof configSchema>;
export type DatabaseTarget = Config['database'];

interface PostgresTarget {
  engine: 'postgres';
  url: string;
  poolMax: number;
  /** How long to wait for a connection; unset: as long as it takes. */
  connectTimeoutMs?: number;
  /** Longest statement (and idle time inside a transaction); unset: no limit (bulk tools). */
  statementTimeoutMs?: number;
}

function databaseTarget(env: { DATABASE_URL?: string | undefined; DATA_DIR: string; PG_POOL_MAX: number; PG_CONNECT_TIMEOUT_MS: number; PG_STATEMENT_TIMEOUT_MS: number }) {
  const url = env.DATABASE_URL;
  if (url === undefined) return { engine: 'pglite' as const, dataDir: env.DATA_DIR as string | null };
  if (url.startsWith('memory://')) return { engine: 'pglite' as const, dataDir: null };
  const target: PostgresTarget = { engine: 'postgres', url, poolMax: env.PG_POOL_MAX, connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS, statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS };
  return target;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; the only place in the code that looks at process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
