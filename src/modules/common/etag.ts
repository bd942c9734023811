import { DomainError, type FieldIssue, InvalidInputError } from '../../domain/errors.js';

/**
 * A task's strong validator: its stored version and what of the clock its representation shows
 * (health, and stale), since a task turns overdue or stale without a new version: "3-green",
 * "3-red-stale". If-None-Match then answers 304 only while a client's copy is still right.
 */
export function taskEtag(task: { version: number; health: string; stale: boolean }): string {
  return `"${task.version}-${task.health}${task.stale ? '-stale' : ''}"`;
}

const ENTITY_TAG_LIST = /^\s*(W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*(,\s*(W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*)*$/;

/**
 * The version an If-Match header names (RFC 9110 §13.1.1, strong comparison: "3"). Missing →
 * 428. Not an entity-tag list at all, or `*` (which would overwrite whatever version is there,
 * the very lost update If-Match is required against) → 400 naming the field. A well-formed value
 * that names no single version of ours (a weak tag, a list, another tag) yields 0, which no task
 * ever has, so the write answers 412 with the current version. Only the version is compared: a
 * task that turned stale since it was read has not been changed by anyone ("3" alone is taken too).
 */
export function versionFromIfMatch(header: string | undefined, field: FieldIssue = { location: 'headers', path: 'if-match', message: '' }): number {
  if (header === undefined || header.trim() === '') {
    throw new DomainError(
      'precondition_required',
      'Send If-Match with the ETag of the task as you last read it (GET /v1/tasks/{id}), so that a concurrent change is never overwritten.',
    );
  }
  if (header.trim() === '*' || !ENTITY_TAG_LIST.test(header)) {
    const message = header.trim() === '*' ? 'name the version you read, e.g. "3"; * would overwrite a concurrent change' : 'must be an entity tag such as "3"';
    throw new InvalidInputError(`If-Match ${message}.`, [{ ...field, message }]);
  }
  const match = /^\s*"(\d{1,9})(?:-[a-z]+)*"\s*$/.exec(header);
  return match ? Number(match[1]) : 0;
}

/** If-None-Match (RFC 9110 §13.1.2): weak comparison against any listed tag, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
