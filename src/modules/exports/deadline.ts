import type { Readable } from 'node:stream';

export class ExportTooLongError extends Error {
  override name = 'ExportTooLongError';
}

/**
 * Ends an export that is still streaming after `ms` by destroying its stream, which aborts the
 * response: the client sees a broken transfer, never a silently short file. Exports hold no
 * database connection between batches (the next one is fetched ahead, then waits in memory), so
 * the limit bounds what a stalled or crawling reader can hold on to (a socket and two batches), as
 * the API security checklist asks (OWASP API4).
 */
export function withDeadline<T extends Readable>(stream: T, ms: number): T {
  const timer = setTimeout(() => stream.destroy(new ExportTooLongError(`the export ran longer than ${ms / 1000} s and was stopped`)), ms).unref();
  stream.once('close', () => clearTimeout(timer));
  return stream;
}
