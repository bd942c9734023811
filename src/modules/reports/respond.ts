import type {} from '@fastify/accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { flatten, toCsv } from './csv.js';

export const CsvBody = z.string().describe('RFC 4180 CSV with a header row; nested fields as dotted column names.');

/** A 200 response that is JSON by default and CSV for Accept: text/csv. */
export function jsonOrCsv(schema: z.ZodType, description: string) {
  return { description, content: { 'application/json': { schema }, 'text/csv': { schema: CsvBody } } };
}

/**
 * Sends a report as the client asked: JSON by default, CSV for Accept: text/csv (rows from
 * `rowsOf`), 406 for an Accept that allows neither.
 */
export function sendReport<T>(request: FastifyRequest, reply: FastifyReply, report: T, rowsOf: (report: T) => Record<string, unknown>[], bom: boolean | undefined) {
  const type = request.accepts().type(['application/json', 'text/csv']);
  if (type === false) throw new DomainError('not_acceptable', 'Reports are available as application/json and text/csv.');
  if (type === 'application/json') return reply.send(report);
  const rows = rowsOf(report).map((row) => flatten(row));
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  return reply.type('text/csv; charset=utf-8').send(toCsv(rows, columns, bom ?? false));
}
