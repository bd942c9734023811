/**
 * Domain errors carry a stable code and know nothing of HTTP; plugins/problems.ts maps codes to
 * statuses and RFC 9457 problem documents. Each code is listed in README ("Errors").
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid_transition',
  'task_locked',
  'precondition_failed',
  'precondition_required',
  'idempotency_conflict',
  'batch_failed',
  'import_rejected',
  'derived_from_children',
  'extension_not_open',
  'extension_pending',
  'extension_decided',
  'not_acceptable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  location: 'body' | 'querystring' | 'params' | 'headers';
  path: string;
  /** Where a file was sent (an import), the line the path is on. */
  line?: number | undefined;
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Facts a client can act on, sent as members of the problem document. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  constructor(kind: string, id: string) {
    super('not_found', `No ${kind} with id "${id}".`);
  }
}

export class InvalidInputError extends DomainError {
  constructor(
    message: string,
    readonly errors: FieldIssue[],
  ) {
    super('validation_failed', message);
  }
}

/** An import file that cannot be applied as a whole: every issue found, by path (and line, when the text was at hand). */
export class ImportRejectedError extends DomainError {
  constructor(
    message: string,
    readonly issues: { path: string; line?: number | undefined; message: string }[],
  ) {
    super('import_rejected', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}
