import type {} from '@fastify/accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { type Column, csvColumns, toCsv } from '../common/csv.js';
import { matchesIfNoneMatch } from '../common/etag.js';

export const CsvBody = z.string().describe('RFC 4180 CSV with a header row, whose columns follow the row schema; nested fields as dotted column names.');

/** A 200 response that is JSON by default and CSV for Accept: text/csv. */
export function jsonOrCsv(schema: z.ZodType, description: string) {
  return { description, content: { 'application/json': { schema }, 'text/csv': { schema: CsvBody } } };
}

/** How a report reads as CSV: the columns of its row schema, and its rows. */
export interface CsvView<T> {
  columns: Column[];
  rowsOf(report: T): unknown[];
}

/** The row schema gives the columns; rowsOf is checked against it, so the two cannot drift apart. */
export function csvView<R extends z.ZodObject, T>(row: R, rowsOf: (report: T) => z.output<R>[]): CsvView<T> {
  return { columns: csvColumns(row), rowsOf };
}

export type ReportFormat = 'application/json' | 'text/csv';

/**
 * Sends a report as the client asked: JSON by default, CSV for Accept: text/csv, 406 for an
 * Accept that allows neither. The validator comes first and names what the report depends on, so
 * If-None-Match it matches answers 304 before the report is computed.
 */
export async function sendReport<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  report: { tag(format: ReportFormat): Promise<string>; compute(): Promise<T>; csv: CsvView<T>; bom: boolean | undefined },
) {
  // One URL, two formats: a cache must key what it stores on Accept too.
  void reply.header('vary', 'Accept');
  const type = request.accepts().type(['application/json', 'text/csv']);
  if (type === false) throw new DomainError('not_acceptable', 'Reports are available as application/json and text/csv.');
  const etag = await report.tag(type as ReportFormat);
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.header('etag', etag).code(304).send();
  const body = await report.compute();
  void reply.header('etag', etag);
  if (type === 'application/json') return reply.send(body);
  return reply.type('text/csv; charset=utf-8').send(toCsv(report.csv.columns, report.csv.rowsOf(body), report.bom ?? false));
}
