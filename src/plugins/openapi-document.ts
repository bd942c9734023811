import { isDeepStrictEqual } from 'node:util';

/**
 * Rewrites of the generated OpenAPI document that make it read to client generators as the server
 * behaves: one schema where the input and output variants are the same, required preconditions,
 * the headers every response carries, and no dead components. Plain functions over JSON.
 */

type Json = Record<string, unknown>;
interface Response {
  headers?: Record<string, unknown>;
  [member: string]: unknown;
}
interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  responses?: Record<string, Response>;
  [member: string]: unknown;
}
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  webhooks?: unknown;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, unknown> };
}

const SCHEMA_REF = '#/components/schemas/';
const INPUT = 'Input';

/** Marks a response header as always sent: @fastify/swagger keeps only a header's schema and description, so the flag travels inside the schema. */
export const REQUIRED_HEADER = 'x-duban-required';

function refsIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1] ?? ''));
}

function renameRefs<T>(value: T, renamed: Map<string, string>): T {
  if (renamed.size === 0) return value;
  return JSON.parse(
    JSON.stringify(value).replace(/"#\/components\/schemas\/([^"]+)"/g, (whole, name: string) => {
      const target = renamed.get(decodeURIComponent(name));
      return target ? `"${SCHEMA_REF}${target}"` : whole;
    }),
  ) as T;
}

/**
 * fastify-type-provider-zod emits an `XInput` variant beside `X` for every registered schema that
 * requests reach, which generators of Java or Kotlin turn into two classes for one enum. An input
 * variant becomes a reference to its output twin when the two are deep-equal, once the references
 * inside them are collapsed too; repeated until nothing more collapses, so an object whose members
 * collapsed can collapse in turn. A variant that differs (a default makes a member required in the
 * output) is kept: there the two really are different types.
 */
export function collapseInputVariants<T extends OpenApiDocument>(document: T): T {
  const schemas = document.components?.schemas ?? {};
  const renamed = new Map<string, string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of Object.keys(schemas)) {
      const twin = name.slice(0, -INPUT.length);
      if (!name.endsWith(INPUT) || renamed.has(name) || !(twin in schemas)) continue;
      if (isDeepStrictEqual(renameRefs(schemas[name], renamed), renameRefs(schemas[twin], renamed))) {
        renamed.set(name, twin);
        changed = true;
      }
    }
  }
  const rewritten = renameRefs(document, renamed);
  const kept = Object.fromEntries(Object.entries(rewritten.components?.schemas ?? {}).filter(([name]) => !renamed.has(name)));
  return { ...rewritten, components: { ...rewritten.components, schemas: kept } };
}

/** Keeps only the components some operation or webhook reaches, so the document has no dead schemas. */
export function withoutUnusedComponents<T extends OpenApiDocument>(document: T): T {
  const schemas = document.components?.schemas ?? {};
  const reached = new Set<string>();
  const pending = [...refsIn(document.paths ?? {}), ...refsIn(document.webhooks ?? {})];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } };
}

function eachOperation(document: OpenApiDocument, visit: (operation: Operation) => void) {
  for (const item of Object.values(document.paths ?? {})) for (const operation of Object.values(item)) visit(operation);
}

/**
 * A route that answers 428 Precondition Required without If-Match requires it, so the document
 * says so and generated clients make it a required argument. The route's own schema keeps it
 * optional: its absence is answered 428 by the handler, not 400 by validation.
 */
export function requirePreconditions<T extends OpenApiDocument>(document: T): T {
  eachOperation(document, (operation) => {
    if (!operation.responses?.['428']) return;
    for (const parameter of operation.parameters ?? []) if (parameter.in === 'header' && parameter.name === 'if-match') parameter.required = true;
  });
  return document;
}

const header = (description: string, schema: Json, required = false) => ({ description, required, schema });

/** Headers the plugins add to responses of every route, whichever route it is. */
const commonHeaders = {
  RequestId: header('The id of this request, also a problem document’s requestId; quote it when reporting a problem.', { type: 'string' }, true),
  RetryAfter: header('Seconds to wait before trying again.', { type: 'integer', minimum: 0 }, true),
  WwwAuthenticate: header('The scheme to authenticate with: Bearer realm="duban".', { type: 'string' }, true),
  RateLimitLimit: header('Requests allowed per minute to this key (or address, without one). Like the two below, absent from an answer given before the request was counted (a 401, a 400 of validation).', { type: 'integer', minimum: 0 }),
  RateLimitRemaining: header('Requests left in the current minute.', { type: 'integer', minimum: 0 }),
  RateLimitReset: header('Seconds until the minute’s budget starts again.', { type: 'integer', minimum: 0 }),
};

const ref = (name: keyof typeof commonHeaders) => ({ $ref: `#/components/headers/${name}` });

/** The common headers on each response that carries them, and route-declared headers marked always sent as required. */
export function withCommonHeaders<T extends OpenApiDocument>(document: T): T {
  eachOperation(document, (operation) => {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const declared of Object.values(response.headers ?? {}) as { required?: boolean; schema?: Json }[]) {
        if (declared.schema?.[REQUIRED_HEADER]) declared.required = true;
        delete declared.schema?.[REQUIRED_HEADER];
      }
      const code = Number(status);
      response.headers = {
        ...response.headers,
        'x-request-id': ref('RequestId'),
        ...(code === 429 || code === 503 ? { 'retry-after': ref('RetryAfter') } : {}),
        ...(code === 401 ? { 'www-authenticate': ref('WwwAuthenticate') } : {}),
        'x-ratelimit-limit': ref('RateLimitLimit'),
        'x-ratelimit-remaining': ref('RateLimitRemaining'),
        'x-ratelimit-reset': ref('RateLimitReset'),
      };
    }
  });
  return { ...document, components: { ...document.components, headers: { ...document.components?.headers, ...commonHeaders } } };
}
