/**
 * The floor: bare Fastify 5 over the same database, serving the routes the benchmark reads with
 * no auth, no validation, no response schema, no logging, and one SQL statement per response
 * (bench/floor/sql.ts). What Duban does beyond it is what the ratio in the table prices.
 *   FLOOR_DATABASE_URL=postgres://… | FLOOR_DATA_DIR=<a PGlite directory>, PORT, HOST
 * Started by bench/run.ts; it serves only what the scenarios ask, and only as they ask it.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';
import * as sql from './sql.js';

type Query = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

/** Duban's pool size (PG_POOL_MAX's default) on PostgreSQL; PGlite is one connection in-process either way. */
function connect(): { query: Query; close(): Promise<void> } {
  const url = process.env.FLOOR_DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    return { query: async (text, values) => (await pool.query(text, values)).rows, close: () => pool.end() };
  }
  const db = new PGlite(process.env.FLOOR_DATA_DIR);
  return { query: async (text, values) => (await db.query<Record<string, unknown>>(text, values)).rows, close: () => db.close() };
}

const { query, close } = connect();
const body = async (text: string, values: unknown[]) => (await query(text, values))[0]!.body;
const now = () => new Date().toISOString();
const EXPORT_BATCH = 500;

const app = Fastify();

app.get('/readyz', async () => {
  await query('select 1', []);
  return { status: 'ok' };
});

app.get<{ Querystring: { status: string; agency: string; limit?: string } }>('/v1/tasks', async (request) => {
  const limit = Number(request.query.limit ?? 50);
  const rows = await query(sql.listTasks, [now(), request.query.status, request.query.agency, limit + 1]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  // Duban's keyset cursor (src/modules/common/cursor.ts), so the bodies compare equal.
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.list_id, last.position])).toString('base64url') : null;
  return { items: page.map((row) => row.task), nextCursor };
});

app.get<{ Params: { id: string } }>('/v1/tasks/:id', async (request, reply) => {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch) {
    const [row] = await query(sql.taskVersion, [request.params.id]);
    if (row && `"${row.version}"` === ifNoneMatch) return reply.header('etag', ifNoneMatch).code(304).send();
  }
  const [row] = await query(sql.getTask, [now(), request.params.id]);
  if (!row) return reply.code(404).send({ status: 404 });
  const task = row.task as { version: number };
  return reply.header('etag', `"${task.version}"`).send(task);
});

app.get<{ Querystring: { asOf?: string } }>('/v1/reports/summary', async (request, reply) => {
  const { asOf } = request.query;
  if (asOf) return body(sql.summaryAsOf, [endOf(asOf)]);
  const at = now();
  const tagOf = (facts: unknown) => `W/"summary-${createHash('sha256').update(JSON.stringify([facts, at.slice(0, 10)])).digest('base64url').slice(0, 32)}"`;
  if (request.headers['if-none-match']) {
    // As Duban does: the tag's facts first, and on a match nothing else is read.
    const [{ facts }] = (await query(sql.summaryTagFacts, [at])) as [{ facts: unknown }];
    if (tagOf(facts) === request.headers['if-none-match']) return reply.header('etag', tagOf(facts)).code(304).send();
  }
  const [summary] = (await query(sql.summaryLive, [at])) as [{ facts: unknown; body: unknown }];
  return reply.header('etag', tagOf(summary.facts)).send(summary.body);
});

app.get('/v1/reports/agencies', async () => body(sql.agencies(true), [now()]));

/** Monthly periods only: the one interval the benchmark asks for. */
app.get<{ Querystring: { from: string; to: string } }>('/v1/reports/timeline', async (request) => {
  const at = new Date();
  const starts: string[] = [];
  for (let month = new Date(`${request.query.from.slice(0, 7)}-01T00:00:00Z`); month.toISOString().slice(0, 10) <= request.query.to; month.setUTCMonth(month.getUTCMonth() + 1)) {
    starts.push(month.toISOString().slice(0, 10));
  }
  const ends = starts.map((start) => {
    const next = new Date(`${start}T00:00:00Z`);
    next.setUTCMonth(next.getUTCMonth() + 1);
    return new Date(Math.min(next.getTime() - 1, at.getTime())).toISOString();
  });
  const laterStarts = ends.slice(0, -1).map((end) => new Date(Date.parse(end) + 1).toISOString());
  return body(sql.timeline, [ends.at(-1), `{${laterStarts.join(',')}}`, starts.length, `{${starts.join(',')}}`, `{${ends.join(',')}}`]);
});

/** Batches of 500 in list order, as Duban's export fetches them, so neither holds the export in memory. */
app.get('/v1/exports/tasks', async (_request, reply) => {
  async function* lines() {
    const at = now();
    let after: [string, number] = ['', 0];
    for (;;) {
      const rows = await query(sql.exportBatch, [at, after[0], after[1], EXPORT_BATCH]);
      for (const row of rows) yield `${JSON.stringify(row.task)}\n`;
      if (rows.length < EXPORT_BATCH) return;
      after = [rows.at(-1)!.list_id as string, rows.at(-1)!.position as number];
    }
  }
  return reply.type('application/x-ndjson').send(Readable.from(lines()));
});

/** A date means the end of that UTC day, as in Duban's asOf. */
function endOf(asOf: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_399_999).toISOString() : new Date(asOf).toISOString();
}

process.once('SIGTERM', () => void app.close().then(close));
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
