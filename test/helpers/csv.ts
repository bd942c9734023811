import { parse } from 'csv-parse/sync';
import type { Test } from 'tap';

/**
 * What a JSON row should read as in CSV, worked out from the data itself, independently of the
 * schema-driven code under test: nested objects as dotted names, lists of plain values joined by
 * spaces, lists holding objects as JSON, null as an empty cell. The data cannot tell an empty list
 * of objects from an empty list of strings, so the columns of lists of objects are named: their
 * cells are always JSON ("[]" when empty), so a reader can parse every cell of them.
 */
export function expectedCells(value: Record<string, unknown>, objectLists: readonly string[] = [], prefix = ''): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    const column = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) Object.assign(cells, expectedCells(inner as Record<string, unknown>, objectLists, column));
    else if (Array.isArray(inner)) cells[column] = objectLists.includes(column) || inner.some((item) => item !== null && typeof item === 'object') ? JSON.stringify(inner) : inner.join(' ');
    else cells[column] = inner === null ? '' : String(inner);
  }
  return cells;
}

/** A CSV body as its header and its rows (header → cell), read with a real parser. */
export function readCsv(body: string): { header: string[]; rows: Record<string, string>[] } {
  const [header = [], ...records] = parse(body, { bom: true }) as string[][];
  return { header, rows: records.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i]!]))) };
}

/**
 * The CSV says what the JSON says, field by field: every field of every JSON row has its column,
 * with the same value, and a column the row lacks (an event that did not change status) is empty.
 */
export function assertCsvMatches(t: Test, body: string, json: Record<string, unknown>[], what: string, objectLists: readonly string[] = []) {
  const { header, rows } = readCsv(body);
  t.equal(rows.length, json.length, `${what}: one CSV row per item`);
  json.forEach((item, i) => {
    const cells = expectedCells(item, objectLists);
    // A null where an object may stand (a task without a window) cannot be told from a null value: its columns are the object's, left empty.
    const nullObject = (column: string) => cells[column] === '' && header.some((name) => name.startsWith(`${column}.`));
    const missing = Object.keys(cells).filter((column) => !header.includes(column) && !nullObject(column));
    t.same(missing, [], `${what}: row ${i} has a column for every field`);
    t.same(rows[i], Object.fromEntries(header.map((column) => [column, cells[column] ?? ''])), `${what}: row ${i}, every cell`);
  });
}
