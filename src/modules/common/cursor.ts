import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors.js';
import { Text } from './schemas.js';

/**
 * The parts a cursor may hold, bounded like the columns they are compared with: a cursor is
 * client input, and a forged one must be a 400, never a value the database refuses.
 */
export const cursorParts = {
  text: Text.max(200),
  /** An integer column (a task's number, a chain's seq). */
  int: z.number().int().min(-2_147_483_648).max(2_147_483_647),
  /** A bigint position (ledger id, delivery id); zod's int() already stops at the largest safe integer. */
  position: z.number().int().min(0),
};

/** A keyset position: the sort-key values of the last row of the previous page. */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks it has the shape the caller sorts by; anything else is the client's error. */
export function decodeCursor<T extends z.ZodType<CursorKey>>(cursor: string, shape: T): z.output<T> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = shape.safeParse(decoded);
  if (!parsed.success) {
    throw new InvalidInputError('The cursor is not one this API issued for this listing.', [
      { location: 'querystring', path: 'cursor', message: 'pass back the nextCursor of the previous page unchanged' },
    ]);
  }
  return parsed.data;
}

/** Splits the limit + 1 rows a keyset query fetched into one page and the cursor that follows it. */
export function paginate<R>(rows: R[], limit: number, keyOf: (row: R) => CursorKey): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

const idCursor = z.tuple([cursorParts.text]);

/** For listings paged by id: the id the cursor names (list after it), or undefined on the first page. */
export function idAfter(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor, idCursor)[0];
}
