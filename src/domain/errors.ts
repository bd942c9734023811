/**
 * Domain errors carry a stable code and know nothing of HTTP; plugins/problems.ts maps codes to
 * statuses and RFC 9457 problem documents. Each code is listed in README ("Errors").
 */
export type ErrorCode = 'validation_failed' | 'not_found';

export interface FieldIssue {
  location: 'body' | 'querystring' | 'params' | 'headers';
  path: string;
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
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
