import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDataException, isDatabaseUnavailable, loggableError } from '../db/errors.js';
import { DomainError, type ErrorCode, type FieldIssue, ImportRejectedError, InvalidInputError } from '../domain/errors.js';
import type { ProblemDocument } from '../modules/common/schemas.js';

/**
 * Every code a problem document can carry, with its status and title: the one list of them, from
 * which Problem.code's enum in the OpenAPI document is made. A domain error's code must be here
 * too, since its status comes from here (ErrorCode is checked against it below).
 */
const catalogue = {
  validation_failed: { status: 400, title: 'Invalid request' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Resource not found' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  invalid_transition: { status: 409, title: 'Transition not allowed' },
  task_locked: { status: 409, title: 'Task is read-only' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  idempotency_conflict: { status: 422, title: 'Idempotency key reused' },
  batch_failed: { status: 422, title: 'Batch not applied' },
  import_rejected: { status: 422, title: 'Import not applied' },
  derived_from_children: { status: 409, title: 'Derived from sub-tasks' },
  extension_not_open: { status: 409, title: 'No extension can be asked for' },
  extension_pending: { status: 409, title: 'An extension request is pending' },
  extension_decided: { status: 409, title: 'Extension request already decided' },
  precondition_required: { status: 428, title: 'Precondition required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  request_timeout: { status: 408, title: 'Request timeout' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  expectation_failed: { status: 417, title: 'Expectation failed' },
  route_not_found: { status: 404, title: 'No such route' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  internal_error: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<ErrorCode, unknown> & Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof catalogue;

export const PROBLEM_CODES = Object.keys(catalogue) as [ProblemCode, ...ProblemCode[]];

/** An import's issues as a problem's errors: all in the body, the file. */
function importIssues(error: ImportRejectedError): FieldIssue[] {
  return error.issues.map((issue) => ({ location: 'body', ...issue }));
}

/** A domain error as the members of a problem document, for answers that carry several (batch items). */
export function problemMembersOf(error: DomainError) {
  const { status, title } = catalogue[error.code];
  return {
    ...error.extensions,
    type: problemType(error.code),
    title,
    status,
    detail: error.message,
    code: error.code,
    ...(error instanceof InvalidInputError && error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(error instanceof ImportRejectedError ? { errors: importIssues(error) } : {}),
  };
}

/** Long enough for a pool to reconnect after a database restart, short enough that clients notice it is back. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:duban:problem:${code.replaceAll('_', '-')}`;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ProblemCode,
  detail: string,
  errors?: FieldIssue[],
  extensions: Record<string, unknown> = {},
) {
  const { status, title } = catalogue[code];
  const body: ProblemDocument = {
    ...extensions,
    type: problemType(code),
    title,
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    requestId: String(request.id),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  // Also here, not only in the onRequest hook: Fastify's frameworkErrors (an undecodable URL) answer before any hook runs.
  return reply.code(status).type(PROBLEM_MEDIA_TYPE).header('x-request-id', body.requestId).send(body);
}

const fastifyCodes: Partial<Record<string, ProblemCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
};

/**
 * Errors Fastify raises before routing (an undecodable URL, an over-long path parameter) bypass
 * the error handler; Fastify hands them here instead, so they too become problem documents.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const code = (error.code && fastifyCodes[error.code]) || 'bad_request';
  const detail = code === 'uri_too_long' ? 'A path segment is longer than this API accepts (200 characters).' : 'The request URL cannot be decoded.';
  void sendProblem(request, reply, code, detail);
}

const clientErrorCodes: Partial<Record<string, { code: ProblemCode; detail: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', detail: 'The request did not arrive in time (headers, or a body shorter or slower than its Content-Length).' },
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', detail: 'The request headers are larger than this server accepts (16 KiB).' },
};

/**
 * Node answers a request it cannot parse (malformed framing, oversized headers, a client too slow
 * to send it) before Fastify sees one; this writes that answer as a problem document too, then
 * closes the connection without reading on, which is all one can do with a stream that lost its
 * framing, and the only way a refused request stays unserved.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? clientErrorCodes[error.code] : undefined;
  const code = known?.code ?? 'bad_request';
  const requestId = randomUUID();
  this.log.info({ requestId, errorCode: error.code, status: catalogue[code].status }, 'request refused before parsing');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Paused first: bytes already in the socket's buffer (a body that arrived while the process was
  // busy) would otherwise still be parsed and the request served after its refusal, so a client
  // told 408 would find its write applied. Destroyed once the answer is out, so nothing follows it.
  socket.pause();
  socket.end(rawProblemResponse(code, known?.detail ?? 'The request is not well-formed HTTP/1.1.', requestId), () => socket.destroy());
}

/**
 * A whole HTTP response carrying a problem document, for the answers written on the socket
 * before Fastify has a request (or for a request it never routes); the connection is closed after it.
 */
function rawProblemResponse(code: ProblemCode, detail: string, requestId: string): string {
  const { status } = catalogue[code];
  const body = unroutedProblemBody(code, detail, requestId);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(unroutedHeaders(body, requestId))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${body}`;
}

function unroutedProblemBody(code: ProblemCode, detail: string, requestId: string): string {
  const { status, title } = catalogue[code];
  // No request was routed, so no path to name: the occurrence itself is the instance.
  return JSON.stringify({ type: problemType(code), title, status, detail, instance: `urn:uuid:${requestId}`, code, requestId });
}

function unroutedHeaders(body: string, requestId: string) {
  return { 'content-type': PROBLEM_MEDIA_TYPE, 'content-length': String(Buffer.byteLength(body)), 'x-request-id': requestId, connection: 'close' };
}

/**
 * What Node's HTTP server answers by itself, with an empty body, unless told otherwise: an Expect
 * it does not meet (417), and CONNECT, which it never routes. Both become problem documents.
 */
export function answerUnroutedRequests(server: Server, largestBody: number) {
  // Node would answer 100 Continue to any Expect: 100-continue and only then find the body too large, when the client is already sending it.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (Number(request.headers['content-length'] ?? 0) > largestBody) {
      const requestId = randomUUID();
      const body = unroutedProblemBody('payload_too_large', `The body is larger than any route takes (${Math.round(largestBody / 1024)} KiB); it was not sent.`, requestId);
      response.writeHead(catalogue.payload_too_large.status, unroutedHeaders(body, requestId)).end(body);
      return;
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const body = unroutedProblemBody('expectation_failed', 'Of Expect, only 100-continue is supported; send the request without it.', requestId);
    response.writeHead(catalogue.expectation_failed.status, unroutedHeaders(body, requestId)).end(body);
  });
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    socket.end(rawProblemResponse('route_not_found', 'CONNECT is not a method of this API; GET /openapi.json lists the routes.', randomUUID()));
  });
}

function validationIssues(error: FastifyError & { validation: { instancePath: string; message?: string }[] }): FieldIssue[] {
  const location = (error.validationContext ?? 'body') as FieldIssue['location'];
  return error.validation.map((issue) => ({
    location,
    path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.'),
    message: issue.message ?? 'invalid value',
  }));
}

/**
 * Turns every error into an RFC 9457 problem document. Client errors explain themselves;
 * server errors are logged in full and answered with the request id only, never a stack or SQL.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = validationIssues(error);
        const summary = errors.map((e) => `${e.location}${e.path ? `.${e.path}` : ''}: ${e.message}`).join('; ');
        return sendProblem(request, reply, 'validation_failed', `The request does not match the API contract: ${summary}.`, errors);
      }
      if (error instanceof InvalidInputError) return sendProblem(request, reply, error.code, error.message, error.errors);
      if (error instanceof ImportRejectedError) return sendProblem(request, reply, error.code, error.message, importIssues(error));
      if (error instanceof DomainError) return sendProblem(request, reply, error.code, error.message, undefined, error.extensions);
      if (error.code?.startsWith('FST_BEARER_AUTH')) {
        void reply.header('www-authenticate', 'Bearer realm="duban"');
        return sendProblem(request, reply, 'unauthorized', 'Send a valid, unrevoked API key as "Authorization: Bearer <key>".');
      }
      if (error.statusCode === 429) return sendProblem(request, reply, 'rate_limited', error.message);

      const mapped = error.code ? fastifyCodes[error.code] : undefined;
      if (mapped === 'payload_too_large') {
        const limit = request.routeOptions.bodyLimit;
        return sendProblem(request, reply, mapped, limit ? `The body is larger than this route takes (${Math.round(limit / 1024)} KiB).` : error.message);
      }
      if (mapped) return sendProblem(request, reply, mapped, error.message);
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        request.log.info({ err: error }, 'client error without a dedicated problem code');
        return sendProblem(request, reply, 'bad_request', error.message);
      }

      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: loggableError(error) ?? error }, 'database unavailable');
        void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        return sendProblem(request, reply, 'unavailable', `The database does not answer right now; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s (Retry-After).`);
      }
      if (isDataException(error)) {
        request.log.warn({ err: loggableError(error) }, 'the database refused a value that validation let through');
        return sendProblem(request, reply, 'bad_request', 'A value in the request cannot be stored (a NUL character, an unpaired surrogate or a number out of range).');
      }

      request.log.error({ err: loggableError(error) ?? error }, 'unhandled error');
      return sendProblem(request, reply, 'internal_error', `The server could not complete the request; quote request id ${request.id} when reporting it.`);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, 'route_not_found', `${request.method} ${request.url.split('?')[0]} is not a route of this API; GET /openapi.json lists them all.`),
    );
  },
  { name: 'problems' },
);
