import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Task = Schemas['Task'];
export type TaskPatch = Schemas['TaskPatch'];
export type DubanClient = Client<paths>;

/** A non-2xx answer, with the API's RFC 9457 problem document (code, detail, and the facts to act on). */
export class DubanProblem extends Error {
  override name = 'DubanProblem';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DubanClientOptions {
  baseUrl: string;
  /** Sent as Authorization: Bearer <apiKey>. */
  apiKey?: string;
  retry?: Partial<RetryOptions>;
  fetch?: (request: Request) => Promise<Response>;
  /** How to wait between retries; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

const REPEATABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/**
 * 429 and 503 mean the server did not act on the request, so any request is retried, after the
 * Retry-After the server sent or else an exponential backoff with jitter. A failure on the way
 * (no answer at all) is retried only when repeating the request cannot apply a change twice: a
 * read, or a write carrying an Idempotency-Key or If-Match.
 */
function retrying(send: (request: Request) => Promise<Response>, retry: RetryOptions, sleep: (ms: number) => Promise<void>) {
  const backoff = (attempt: number) => Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
  return async (request: Request): Promise<Response> => {
    const repeatable = REPEATABLE_METHODS.has(request.method) || request.headers.has('idempotency-key') || request.headers.has('if-match');
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await send(request.clone());
      } catch (error) {
        if (!repeatable || attempt >= retry.retries) throw error;
        await sleep(backoff(attempt));
        continue;
      }
      if ((response.status !== 429 && response.status !== 503) || attempt >= retry.retries) return response;
      await response.body?.cancel();
      await sleep(Math.min(retry.maxDelayMs, retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt)));
    }
  };
}

/** An openapi-fetch client for the Duban API: every path, parameter, body and answer typed from the spec. */
export function createDubanClient(options: DubanClientOptions): DubanClient {
  const retry = { retries: 3, baseDelayMs: 200, maxDelayMs: 30_000, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    fetch: retrying(options.fetch ?? ((request) => fetch(request)), retry, sleep),
  });
}

/** The data of a successful answer, or a DubanProblem with the problem document. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    if (result.response.ok) return undefined as T;
    throw new DubanProblem(result.response.status, result.error as Problem);
  }
  return result.data;
}

/**
 * Changes a task without overwriting anyone: reads it, sends the change with If-Match set to the
 * ETag read, and if someone changed the task in between (412), reads it again and asks `change`
 * anew, at most `attempts` times. `change` returns the patch to send for the task as it now is.
 */
export async function updateTask(client: DubanClient, id: string, change: (task: Task) => TaskPatch | Promise<TaskPatch>, attempts = 3): Promise<Task> {
  for (let attempt = 1; ; attempt++) {
    const read = await client.GET('/v1/tasks/{id}', { params: { path: { id } } });
    const task = unwrap(read);
    const written = await client.PATCH('/v1/tasks/{id}', {
      params: { path: { id }, header: { 'if-match': read.response.headers.get('etag') ?? `"${task.version}"` } },
      body: await change(task),
    });
    if (written.response.status !== 412 || attempt >= attempts) return unwrap(written);
  }
}
