import { Readable } from 'node:stream';
import accepts from '@fastify/accepts';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ledgerState } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';
import { authProblems, Bom, problemResponse, problemResponsesWithout404 } from '../common/schemas.js';
import { type Column, csvColumns, csvRecord, csvStringifier } from '../common/csv.js';
import { matchesIfNoneMatch } from '../common/etag.js';
import { Event } from '../tasks/events-schemas.js';
import { Task } from '../tasks/schemas.js';
import { withDeadline } from './deadline.js';
import { exportEvents, exportTasks, tasksExportTag } from './service.js';

const tags = ['exports'];
const aborted = 'An export still streaming after EXPORT_MAX_SECONDS (default 900) is aborted; resume the events export from the last id received.';
const ExportEtag = z.object({ etag: z.string().describe('Send it as If-None-Match to get 304 while the export would be the same.') });
/** Each stream's rows are a registered schema, named in the document as x-ndjson-item (plugins/openapi.ts). */
const streamed = (description: string, row: typeof Task | typeof Event, columns: Column[]) => {
  const name = row.meta()?.id;
  return {
    description,
    headers: ExportEtag,
    content: {
      'application/x-ndjson': { schema: z.string().describe(`NDJSON, the default: one ${name} (x-ndjson-item, #/components/schemas/${name}) a line. ${aborted}`), itemSchema: row },
      'text/csv': { schema: z.string().describe(`For Accept: text/csv, RFC 4180 CSV with a header row, columns ${columns.map((column) => column.name).join(', ')}. ${aborted}`) },
    },
  };
};
const taskColumns = csvColumns(Task);
const eventColumns = csvColumns(Event);
const errors = { ...problemResponsesWithout404, ...authProblems, 406: problemResponse('Accept allows neither application/x-ndjson nor text/csv.') };

/**
 * Streams batches of items as NDJSON or CSV (columns of the items' schema) without holding the
 * export in memory: the source yields a batch at a time and the socket's back-pressure paces it.
 * NDJSON goes out a batch to a chunk, so the stream handles a few hundred chunks, not a chunk per
 * row, and buffers one batch ahead (highWaterMark counts chunks here).
 */
function streamAs(type: 'application/x-ndjson' | 'text/csv', batches: AsyncIterable<readonly object[]>, columns: Column[], bom: boolean): Readable {
  if (type === 'application/x-ndjson') {
    return Readable.from(
      (async function* () {
        for await (const batch of batches) yield batch.map((item) => `${JSON.stringify(item)}\n`).join('');
      })(),
      { highWaterMark: 1 },
    );
  }
  const rows = Readable.from(
    (async function* () {
      for await (const batch of batches) for (const item of batch) yield csvRecord(columns, item);
    })(),
  );
  return rows.pipe(csvStringifier(columns, bom));
}

const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(accepts);
  const limited = (stream: Readable) => withDeadline(stream, app.deps.config.exportMaxSeconds * 1000);

  const formatOf = (request: FastifyRequest) => {
    const type = request.accepts().type(['application/x-ndjson', 'text/csv']);
    if (type === false) throw new DomainError('not_acceptable', 'Exports are available as application/x-ndjson and text/csv.');
    return type as 'application/x-ndjson' | 'text/csv';
  };

  app.get(
    '/v1/exports/tasks',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'exportTasks',
        tags,
        summary: 'Every task, by list then number, streamed',
        description:
          'The ETag is weak: it names the tasks as they stood when the export began (rows written while it streams may appear in their newer state), and If-None-Match answers 304 while nothing, the date included, has changed what the export says.',
        querystring: z.strictObject({ bom: Bom }),
        response: { 200: streamed('All tasks, with their derived fields as of now.', Task, taskColumns), 304: z.undefined().describe('Nothing changed since the export with this ETag.'), ...errors },
      },
    },
    async (request, reply) => {
      const type = formatOf(request);
      const ctx = { now: app.deps.clock(), policy: app.deps.config };
      const etag = await tasksExportTag(app.deps.db, ctx, `${type}${request.query.bom ? '-bom' : ''}`);
      void reply.header('etag', etag).header('vary', 'Accept');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      const items = exportTasks(app.deps.db, ctx);
      return reply.type(type === 'text/csv' ? 'text/csv; charset=utf-8' : type).send(limited(streamAs(type, items, taskColumns, request.query.bom ?? false)) as never);
    },
  );

  app.get(
    '/v1/exports/events',
    {
      config: { access: ['auditor', 'supervisor'] },
      schema: {
        operationId: 'exportEvents',
        tags,
        summary: 'Ledger events after a position, in ledger order, streamed',
        description:
          'Incremental pulls: store the id of the last event you received and pass it as since next time; ids are gap-free and in commit order. The ETag names the range, so If-None-Match answers 304 when nothing new was recorded.',
        querystring: z.strictObject({
          since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('Export events with id greater than this.'),
          bom: Bom,
        }),
        response: { 200: streamed('The events.', Event, eventColumns), 304: z.undefined().describe('Nothing recorded since the export with this ETag.'), ...errors },
      },
    },
    async (request, reply) => {
      const type = formatOf(request);
      const [state] = await app.deps.db.select({ position: ledgerState.position }).from(ledgerState).where(eq(ledgerState.id, 1));
      // Events never change once written, so since, the current position and the format identify the bytes.
      const etag = `"events-${request.query.since}-${state?.position ?? 0}-${type === 'text/csv' ? 'csv' : 'ndjson'}${request.query.bom ? '-bom' : ''}"`;
      void reply.header('etag', etag).header('vary', 'Accept');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      const items = exportEvents(app.deps.db, request.query.since, state?.position ?? 0);
      return reply.type(type === 'text/csv' ? 'text/csv; charset=utf-8' : type).send(limited(streamAs(type, items, eventColumns, request.query.bom ?? false)) as never);
    },
  );
};

export default routes;
