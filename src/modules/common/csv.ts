import type { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { z } from 'zod';

type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  cell(row: unknown): Cell;
}

const lookThrough = (schema: z.ZodType): z.ZodType => (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional ? lookThrough(schema.unwrap() as z.ZodType) : schema);

const isPlain = (schema: z.ZodType) =>
  schema instanceof z.ZodString || schema instanceof z.ZodNumber || schema instanceof z.ZodBoolean || schema instanceof z.ZodEnum || schema instanceof z.ZodLiteral;

/** A value of no declared shape (a change's from and to): plain values as they are, anything else as JSON. */
const asCell = (value: unknown): Cell => (value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : (value as Cell));

function columnsAt(schema: z.ZodType, path: string[]): Column[] {
  const inner = lookThrough(schema);
  if (inner instanceof z.ZodObject) return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, field]) => columnsAt(field, [...path, key]));
  const read = (row: unknown) => path.reduce<unknown>((value, key) => (value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key]), row);
  const name = path.join('.');
  if (inner instanceof z.ZodArray && isPlain(lookThrough(inner.element as z.ZodType))) {
    return [
      {
        name,
        cell: (row) => {
          const list = read(row);
          return Array.isArray(list) ? list.join(' ') : null;
        },
      },
    ];
  }
  return [{ name, cell: (row) => asCell(read(row)) }];
}

/**
 * The CSV columns of a row schema, in its order. They come from the schema, never from the rows
 * in hand, so every page and every empty result has the same header and a field a first row
 * happens to lack is not dropped from the rest. Nested objects become dotted names
 * (byStatus.completed, changes.status.from), with nullable and optional ones looked through (an
 * absent object leaves its cells empty); a list of plain values is one space-separated cell; a
 * list of objects (a task's assignments) or a value of unknown type is one JSON cell, which keeps
 * it whole.
 */
export function csvColumns(schema: z.ZodObject): Column[] {
  return columnsAt(schema, []);
}

const options = (columns: Column[], bom: boolean) => ({
  header: true,
  columns: columns.map((column) => column.name),
  record_delimiter: 'windows' as const,
  bom,
  cast: { boolean: (value: boolean) => String(value) },
});

/** A row as the cells of the columns, in their order: what a CSV stringifier takes. */
export const csvRecord = (columns: Column[], row: unknown): Cell[] => columns.map((column) => column.cell(row));

/**
 * RFC 4180 CSV: a header row (even with no rows), CRLF line ends, fields quoted where needed. With
 * bom, a UTF-8 byte order mark first, which spreadsheet programs need to read Chinese text as UTF-8.
 */
export function toCsv(columns: Column[], rows: readonly unknown[], bom: boolean): string {
  return stringifySync(
    rows.map((row) => csvRecord(columns, row)),
    options(columns, bom),
  );
}

/** The same CSV as a stream, for exports: write csvRecords, read text. */
export function csvStringifier(columns: Column[], bom: boolean): Transform {
  return stringify(options(columns, bom));
}
