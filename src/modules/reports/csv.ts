import { stringify } from 'csv-stringify/sync';

type Cell = string | number | boolean | null;

/**
 * Nested objects become dotted column names (byStatus.completed), so a report is one flat row.
 * Lists of plain values become one space-separated cell; lists of objects (a task's assignments)
 * one JSON cell, which keeps them whole.
 */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, Cell> {
  const row: Record<string, Cell> = {};
  for (const [key, inner] of Object.entries(value)) {
    const column = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) Object.assign(row, flatten(inner as Record<string, unknown>, column));
    else if (Array.isArray(inner)) row[column] = inner.some((item) => item !== null && typeof item === 'object') ? JSON.stringify(inner) : inner.join(' ');
    else row[column] = inner as Cell;
  }
  return row;
}

/**
 * RFC 4180 CSV: a header row, CRLF line ends, fields quoted where needed. With bom, a UTF-8 byte
 * order mark first, which spreadsheet programs need to read Chinese text as UTF-8.
 */
export function toCsv(rows: Record<string, Cell>[], columns: string[], bom: boolean): string {
  return stringify(rows, { header: true, columns, record_delimiter: 'windows', bom, cast: { boolean: (v) => String(v) } });
}
