import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { Database } from '../../src/db/client.js';
import { ledgerState, tasks } from '../../src/db/schema/index.js';
import { setupApp } from '../helpers/app.js';
import { type GeneratedRequest, type OpenApiDocument, type Operation, operationsOf, RequestArbitraries } from '../helpers/openapi-arbitraries.js';

/**
 * Requests generated from the OpenAPI document, valid and hostile, to every operation, each with a
 * key of a role that may call it (so that it reaches validation and the handler). Whatever the
 * request: never a 5xx; every 4xx an RFC 9457 problem document; and a refused request changes
 * nothing, neither the ledger nor a task nor the webhooks and API keys.
 *
 * The seed is random per run and printed; DUBAN_PROPERTY_SEED=<seed> runs the same requests again
 * (the state each operation starts from depends on the ones before it, so replay the whole file).
 */
const RUNS_PER_OPERATION = 30;
const seed = Number(process.env.DUBAN_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId'] as const;

type Caller = 'admin' | 'supervisor' | 'auditor' | 'hrss' | 'education';

t.test('generated requests: no 5xx, every 4xx a problem document, refused requests change nothing', async (t) => {
  t.comment(`fast-check seed ${seed} (DUBAN_PROPERTY_SEED=${seed} to replay)`);
  // No dispatcher: it would change the webhooks' failure counts between two observations.
  const { app, key, database } = await setupApp(t, { WEBHOOK_DISPATCH: 'false' });
  // A cadence, so that the reporting report has periods to answer for.
  await database.handle.db.execute(sql`update task_lists set report_cadence = 'monthly', report_due_day = 28`);
  const keys: Record<Caller, string> = {
    admin: await key('admin'),
    supervisor: await key('supervisor'),
    auditor: await key('auditor'),
    // Between them these two lead 38 of the 58 tasks and co-operate on more.
    hrss: await key('agency', 'tj-hrss-bureau'),
    education: await key('agency', 'tj-education-commission'),
  };
  const get = async (url: string, caller: Caller = 'admin') => (await app.inject({ method: 'GET', url, headers: { authorization: keys[caller] } })).json();

  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
  const tasks: { id: string; articleId: string }[] = (await get('/v1/tasks?limit=200', 'auditor')).items;
  const webhook = async () => (await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: keys.admin }, payload: { url: 'https://hooks.example.org/duban' } })).json().id as string;
  const apiKey = async () => (await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: keys.admin }, payload: { role: 'auditor', label: 'to revoke' } })).json().id as string;
  // Real ids, so that valid requests reach the handlers rather than stop at 404. The routes that
  // delete get rows of their own, so they cannot take away the webhooks the other routes use, nor
  // the keys this test sends.
  const real = {
    tasks: tasks.map((task) => task.id),
    articles: [...new Set(tasks.map((task) => task.articleId))],
    lists: ((await get('/v1/task-lists')).items as { id: string }[]).map((list) => list.id),
    documents: ((await get('/v1/documents')).items as { id: string }[]).map((d) => d.id),
    agencies: ((await get('/v1/agencies?limit=200')).items as { id: string }[]).map((agency) => agency.id),
    webhooks: [await webhook(), await webhook()],
    doomedWebhooks: [await webhook(), await webhook()],
    doomedKeys: [await apiKey(), await apiKey()],
  };
  const collections: Record<string, string[]> = { documents: real.documents, 'task-lists': real.lists, tasks: real.tasks, agencies: real.agencies, webhooks: real.webhooks, 'api-keys': real.doomedKeys };
  const cursors = new Map<string, string>();
  const realValues = (name: string, operation: Operation): string[] | undefined => {
    if (name === 'id') return operation.method === 'DELETE' && operation.path.startsWith('/v1/webhooks') ? real.doomedWebhooks : collections[operation.path.split('/')[2]!];
    if (name === 'taskId') return real.tasks;
    if (name === 'agencyId' || name === 'agency') return real.agencies;
    if (name === 'listId') return real.lists;
    // The reports take several lists, comma-separated.
    if (name === 'list') return [...real.lists, real.lists.join(',')];
    if (name === 'document') return real.documents;
    if (name === 'article') return real.articles;
    if (name === 'period') return ['2026-02', '2026-03'];
    if (name === 'cursor') return cursors.has(operation.operationId) ? [cursors.get(operation.operationId)!] : undefined;
    // Versions of the seeded tasks start at 1 and grow by one per change: a small number often matches.
    if (name === 'if-match' || name === 'ifMatch') return ['"1"', '"2"', '"3"', '"4"'];
    return undefined;
  };
  const generator = new RequestArbitraries(document, (name, operation) => {
    const values = realValues(name, operation);
    return values && fc.constantFrom(...values);
  });

  for (const operation of operationsOf(document)) {
    await t.test(`${operation.method} ${operation.path}`, async (t) => {
      const callers = await allowedCallers(app, keys, operation);
      t.ok(callers.length > 0, 'some role may call it');
      if (operation.method === 'GET' && operation.parameters.some((p) => p.name === 'cursor')) {
        // A cursor this API issued, for the valid requests to page with.
        const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => realValues(name, operation)![0]!);
        const page = await app.inject({ method: 'GET', url: `${path}?limit=1`, headers: { authorization: keys[callers[0]!] } });
        if (page.json().nextCursor) cursors.set(operation.operationId, page.json().nextCursor);
      }
      const statuses = new Map<number, number>();
      let passedValidation = 0;
      let before = await observe(database.handle.db, get, operation);
      await fc.assert(
        fc.asyncProperty(generator.request(operation), fc.constantFrom(...callers), async (request, caller) => {
          const response = await app.inject({ ...request, headers: { ...request.headers, authorization: keys[caller] } });
          const status = response.statusCode;
          const fail = (why: string) => {
            throw new Error(`${why}\n  request (as ${caller}): ${describe(request)}\n  answer: ${status} ${response.headers['content-type'] ?? ''} ${response.body.slice(0, 400)}`);
          };
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (!request.hostile && status !== 400) passedValidation++;
          if (status >= 500) fail('a 5xx');
          const after = await observe(database.handle.db, get, operation);
          if (status >= 400) {
            if (!/^application\/problem\+json/.test(String(response.headers['content-type']))) fail('a 4xx that is not application/problem+json');
            const problem = response.json();
            const missing = PROBLEM_MEMBERS.filter((member) => typeof problem[member] !== (member === 'status' ? 'number' : 'string'));
            if (missing.length) fail(`a problem document without ${missing.join(', ')}`);
            if (problem.status !== status) fail(`a problem document whose status is ${problem.status}`);
            if (!problem.type.startsWith('urn:duban:problem:')) fail(`a problem document of type ${problem.type}`);
            if (problem.requestId !== response.headers['x-request-id']) fail(`a problem document whose requestId is not the x-request-id header (${response.headers['x-request-id']})`);
            const changed = Object.keys(after).filter((part) => after[part] !== before[part]);
            if (changed.length) fail(`a refused request changed ${changed.join(', ')}`);
          }
          before = after;
        }),
        { numRuns: RUNS_PER_OPERATION, seed, includeErrorInReport: true },
      );
      t.comment(`as ${callers.join(', ')}: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
      // Would fail if the generator stopped producing requests that get past validation.
      t.ok(passedValidation > 0, 'some schema-valid requests got past validation');
    });
  }
});

/** The callers whose role the route takes: authorisation by role is decided before validation, so a request with no valid part tells. */
async function allowedCallers(app: FastifyInstance, keys: Record<Caller, string>, operation: Operation): Promise<Caller[]> {
  const url = operation.path.replace(/\{\w+\}/g, '-');
  const callers: Caller[] = [];
  for (const caller of Object.keys(keys) as Caller[]) {
    const response = await app.inject({ method: operation.method, url, headers: { authorization: keys[caller] } });
    if (response.statusCode !== 403) callers.push(caller);
  }
  return callers;
}

/**
 * What a refused request must leave as it was, each part as JSON: the ledger and every task's
 * version always, read from the database in one query, as it is read after every request; the
 * webhooks and API keys for the routes under their paths, the only ones that write them.
 */
async function observe(db: Database, get: (url: string, caller?: Caller) => Promise<any>, operation: Operation): Promise<Record<string, string>> {
  const [row] = await db
    .select({ position: ledgerState.position, versions: sql<string>`(select string_agg(${tasks.id} || ':' || ${tasks.version}, ',' order by ${tasks.id}) from ${tasks})` })
    .from(ledgerState);
  const parts: Record<string, string> = { 'the ledger position': String(row!.position), 'task versions': row!.versions };
  if (operation.path.startsWith('/v1/webhooks')) parts.webhooks = JSON.stringify((await get('/v1/webhooks?limit=200')).items);
  if (operation.path.startsWith('/v1/api-keys')) parts['API keys'] = JSON.stringify((await get('/v1/api-keys?limit=200')).items);
  return parts;
}

/** The request as a client would retype it, escapes visible and long parts cut. */
function describe(request: GeneratedRequest): string {
  const cut = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text);
  return `${request.method} ${cut(request.url)} headers ${JSON.stringify(request.headers)}${request.payload === undefined ? '' : ` body ${cut(JSON.stringify(request.payload))}`}`;
}
