import { DomainError } from '../../domain/errors.js';

export function taskEtag(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header names (RFC 9110 §13.1.1, strong comparison: "3"). Missing →
 * 428. Anything that names no single version of ours yields 0, which no task ever has, so the
 * write answers 412 with the current version.
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw new DomainError(
      'precondition_required',
      'Send If-Match with the ETag of the task as you last read it (GET /v1/tasks/{id}), so that a concurrent change is never overwritten.',
    );
  }
  const match = /^\s*"(\d{1,9})"\s*$/.exec(header);
  return match ? Number(match[1]) : 0;
}

/** If-None-Match (RFC 9110 §13.1.2): weak comparison against any listed tag, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
