import type {} from '@fastify/accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { type Column, csvColumns, toCsv } from '../common/csv.js';

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

/**
 * Sends a report as the client asked: JSON by default, CSV for Accept: text/csv, 406 for an
 * Accept that allows neither.
 */
export function sendReport<T>(request: FastifyRequest, reply: FastifyReply, report: T, csv: CsvView<T>, bom: boolean | undefined) {
  const type = request.accepts().type(['application/json', 'text/csv']);
  if (type === false) throw new DomainError('not_acceptable', 'Reports are available as application/json and text/csv.');
  if (type === 'application/json') return reply.send(report);
  return reply.type('text/csv; charset=utf-8').send(toCsv(csv.columns, csv.rowsOf(report), bom ?? false));
}
