import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rateLimitedProblem } from '../modules/common/schemas.js';
import { collapseInputVariants, type OpenApiDocument, REQUIRED_HEADER, requirePreconditions, withCommonHeaders, withoutUnusedComponents } from './openapi-document.js';

export const API_VERSION = '1.0.0';

type Transform = typeof jsonSchemaTransform;
type TransformObject = typeof jsonSchemaTransformObject;

/** The JSON Schema of a route's response headers, those always sent marked so (see REQUIRED_HEADER). */
function headerSchemas(headers: z.ZodObject): Record<string, Record<string, unknown>> {
  const schema = z.toJSONSchema(headers, { io: 'output' }) as { properties: Record<string, Record<string, unknown>>; required?: string[] };
  const required = new Set(schema.required ?? []);
  return Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, required.has(name) ? { ...property, [REQUIRED_HEADER]: true } : property]));
}

/**
 * fastify-type-provider-zod drops response headers and any member of a media type but its schema;
 * carry over the headers, and a stream's row schema (`itemSchema` on a media type, which must be a
 * registered schema) as `x-ndjson-item`, a reference to its component: OpenAPI 3.1 has no keyword
 * for the items of a stream (3.2's itemSchema), so the rows are typed through the component.
 */
const withResponseExtras: Transform = (route) => {
  const transformed = jsonSchemaTransform(route);
  const declared = (route.schema?.response ?? {}) as Record<string, { headers?: unknown; content?: Record<string, { itemSchema?: z.ZodType }> }>;
  const response = (transformed.schema as { response?: Record<string, { headers?: unknown; content?: Record<string, Record<string, unknown>> }> }).response;
  for (const [status, spec] of Object.entries(declared)) {
    const target = response?.[status];
    if (!target) continue;
    if (spec.headers instanceof z.ZodObject) target.headers = headerSchemas(spec.headers);
    for (const [type, media] of Object.entries(spec.content ?? {})) {
      if (!media.itemSchema) continue;
      const id = media.itemSchema.meta()?.id;
      if (!id) throw new Error(`${route.url}: the rows of ${type} must be a registered schema, so that generators emit their type.`);
      const emitted = target.content?.[type];
      if (emitted) emitted['x-ndjson-item'] = { $ref: `#/components/schemas/${id}` };
    }
  }
  return transformed;
};

/** What Duban POSTs to subscribers (OpenAPI 3.1 webhooks), so generated clients type the payload too. */
const webhooks = {
  taskEvent: {
    post: {
      operationId: 'receiveTaskEvent',
      tags: ['webhooks'],
      summary: 'A ledger event, sent to each subscription that wants it',
      description:
        'Signed per Standard Webhooks: verify webhook-signature over "<webhook-id>.<webhook-timestamp>.<raw body>" with the subscription secret (README: "Webhooks"). At least once: de-duplicate on webhook-id, which equals the payload id.',
      parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookPayload' } } } },
      responses: { '2XX': { description: 'Received. Anything else (or no answer within WEBHOOK_TIMEOUT_MS) is retried with backoff.' } },
    },
  },
  taskReminder: {
    post: {
      operationId: 'receiveTaskReminder',
      tags: ['webhooks'],
      summary: 'A reminder (task.due_soon, task.overdue, report.missing), sent once per task, kind and occurrence to each subscription that wants it',
      description:
        'Signed and retried like a ledger event; the payload carries the reminder instead of an event. A subscription\'s eventTypes, listId and agencyId filter reminders as they filter events.',
      parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ReminderPayload' } } } },
      responses: { '2XX': { description: 'Received. Anything else (or no answer within WEBHOOK_TIMEOUT_MS) is retried with backoff.' } },
    },
  },
};

/** The document as generated, then rewritten for client generators (openapi-document.ts). */
const transformDocument: TransformObject = (input) => {
  const document = { ...(jsonSchemaTransformObject(input) as OpenApiDocument), webhooks };
  return withoutUnusedComponents(withCommonHeaders(requirePreconditions(collapseInputVariants(document)))) as ReturnType<TransformObject>;
};

/**
 * The OpenAPI document is generated from the route schemas, so it cannot disagree with what the
 * server validates and sends. It must not depend on the environment: openapi/openapi.json is
 * compared with it in CI.
 */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Duban API',
          version: API_VERSION,
          description:
            'Duban (督办) tracks the implementation of policy task lists: documents, their task lists, the tasks with their responsible agencies and status. Errors are RFC 9457 problem documents (application/problem+json).',
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: '/', description: 'This server' }],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'An API key (dbn_…) from POST /v1/api-keys or `npm run keys`. With PUBLIC_READ=true the read routes of documents, task lists, tasks, agencies, reports and the task export also answer without one.',
            },
          },
        },
        security: [{ bearerAuth: [] }],
        tags: [
          { name: 'documents', description: 'Policy documents with their parts and articles.' },
          { name: 'task-lists', description: 'Ordered task lists that belong to a document.' },
          { name: 'tasks', description: 'Tasks with their responsible agencies, status and derived health.' },
          { name: 'agencies', description: 'Responsible units and groups.' },
          { name: 'api-keys', description: 'API keys and roles; who is calling.' },
          { name: 'exports', description: 'Whole-collection streams for BI tools: NDJSON or CSV.' },
          { name: 'reports', description: 'Auditor reports, live or as of any past moment, computed from the ledger.' },
          { name: 'audit', description: 'The tamper-evident ledger: every event, its root digest, and verification.' },
          { name: 'webhooks', description: 'Subscriptions that receive ledger events and reminders as signed HTTP requests, with their delivery log.' },
          { name: 'reminders', description: 'Reminders of due dates (临近提醒) and of missed reporting periods that fired once each, as a feed.' },
          { name: 'health', description: 'Liveness and readiness probes.' },
          { name: 'meta', description: 'This API description.' },
        ],
      },
      transform: withResponseExtras,
      transformObject: transformDocument,
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // swagger-ui's own policy for its pages (helmet's default-src 'none' would blank them), minus
      // upgrade-insecure-requests, which would break the page when served over plain http.
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    });

    app.get(
      '/openapi.json',
      {
        schema: {
          operationId: 'getOpenApiDocument',
          tags: ['meta'],
          summary: 'This OpenAPI document',
          security: [],
          response: { 200: z.looseObject({}).describe('OpenAPI 3.1 document.'), 429: rateLimitedProblem },
        },
      },
      async () => app.swagger(),
    );
  },
  { name: 'openapi', dependencies: ['problems'] },
);
