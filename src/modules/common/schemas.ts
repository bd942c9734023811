import { z } from 'zod';
import { taskStatus } from '../../db/schema/index.js';
import { ERROR_CODES } from '../../domain/errors.js';
import { PROBLEM_CODES } from '../../plugins/problems.js';

/** Here rather than beside Task because problem documents name statuses too (invalid_transition). */
export const TaskStatus = z.enum(taskStatus.enumValues).meta({
  id: 'TaskStatus',
  description: 'not_started 未启动 → in_progress 推进中 ⇄ delayed 滞后 → completed 已完成 → verified 已销号.',
});

/** What any problem says about itself; a whole response adds the request it answers. */
const problemMembers = {
  type: z.string().describe('URI that identifies the problem type; README lists each one.'),
  title: z.string().describe('Short, human-readable summary of the problem type.'),
  status: z.number().int().min(400).max(599),
  detail: z.string().describe('What went wrong with this request, and how to fix it where the client can.'),
  errors: z
    .array(
      z.object({
        location: z.enum(['body', 'querystring', 'params', 'headers']),
        path: z.string().describe('Dotted path of the offending field within its location.'),
        line: z.number().int().min(1).optional().describe('With import_rejected: the line of the file where the field is.'),
        message: z.string(),
      }),
    )
    .optional()
    .describe('The offending fields, for validation errors.'),
  currentVersion: z.number().int().optional().describe('With precondition_failed: the version the task is at now.'),
  currentStatus: TaskStatus.optional().describe('With invalid_transition: the status the task is in.'),
  allowedStatuses: z.array(TaskStatus).optional().describe('With invalid_transition: the statuses you may move the task to.'),
  requestStatus: z.enum(['approved', 'refused']).optional().describe('With extension_decided: what the extension request was decided as.'),
};

/** The problem one item of a batch ran into. */
export const ItemProblem = z
  .object({ ...problemMembers, code: z.enum(ERROR_CODES).describe('Stable machine-readable error code; an item fails with a domain error only.') })
  .meta({ id: 'ItemProblem', description: 'The members of a problem document, for one item of a batch.' });

export const Problem = z
  .object({
    ...problemMembers,
    code: z.enum(PROBLEM_CODES).describe('Stable machine-readable error code; README ("Errors") lists each one.'),
    instance: z.string().describe('The request path that produced the problem.'),
    requestId: z.string().describe('Also sent as the x-request-id header; quote it when reporting a problem.'),
    failedItem: z
      .object({ index: z.number().int().min(0), taskId: z.string(), problem: ItemProblem })
      .optional()
      .describe('With batch_failed: the item that failed and why; nothing in the batch was applied.'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (application/problem+json).' });

export type ProblemDocument = z.infer<typeof Problem>;


function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: Problem } } };
}

export const problemResponses = {
  400: problemResponse('The request is malformed or a value is out of range; `errors` names the fields.'),
  404: problemResponse('No such resource.'),
  500: problemResponse('Unexpected server error; the detail is in the server log under the requestId.'),
} as const;

/** Every route counts against a budget, the open ones (probes, this document) per address. */
export const rateLimitedProblem = problemResponse('Too many requests from this address in a minute; Retry-After says when to try again.');

/** What every route behind a key can answer besides its own outcomes. */
export const authProblems = {
  401: problemResponse('No key, or a malformed, unknown or revoked one.'),
  403: problemResponse('The key is valid but its role or agency may not do this.'),
  429: problemResponse('Too many requests, or too many failed authentications; Retry-After says when to try again.'),
} as const;

export const problemResponsesWithout404 = {
  400: problemResponses[400],
  500: problemResponses[500],
} as const;

/**
 * Text PostgreSQL can keep exactly as sent: it stores no NUL character at all, and an unpaired
 * UTF-16 surrogate has no UTF-8 form (it would come back as U+FFFD).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

export const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** Every string a client sends that is stored or compared in SQL starts from this. */
export const Text = z.string().refine(isStorableText, STORABLE_TEXT_MESSAGE);

/** Readable, stable ids: lowercase letters, digits and hyphens (tj-2021-annex2-07, tj-hrss-bureau). */
export const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens');

export const IdParams = z.object({ id: Id });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .describe('Page size; at most 200.');

export const Cursor = z
  .string()
  .min(1)
  .max(512)
  .describe('Opaque: pass back the nextCursor of the previous page, unchanged.');

/** Strict: a misspelt filter is an error, not a silently ignored parameter. */
export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });

export { problemResponse };

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Cursor for the next page; null on the last page.'),
  });
}

/** A query flag: the strings true or false, read as a boolean. */
export const BooleanFlag = z
  .enum(['true', 'false'])
  .transform((flag) => flag === 'true')
  .describe('true or false');

export const Bom = BooleanFlag.optional().describe('With text/csv: start with a UTF-8 byte order mark, which spreadsheet programs need to read Chinese text.');

export const Timestamp = z.iso.datetime().describe('RFC 3339 timestamp in UTC.');
export const CalendarDate = z.iso.date().describe('Calendar date, YYYY-MM-DD.');

/**
 * Dates a client sends are held to the years 1900–9999: JavaScript and the two engines read years
 * before that differently (year 0 does not exist for PostgreSQL; Date.UTC reads 0–99 as 19xx), and
 * no policy list reaches back further.
 */
const inSupportedYears = (value: string) => {
  const year = Number(value.slice(0, 4));
  return year >= 1900 && year <= 9999;
};
const SUPPORTED_YEARS_MESSAGE = 'must lie in the years 1900–9999';
export const InputDate = CalendarDate.refine(inSupportedYears, SUPPORTED_YEARS_MESSAGE);
export const InputMoment = z.iso.datetime({ offset: true }).refine(inSupportedYears, SUPPORTED_YEARS_MESSAGE);
