import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const API_VERSION = '1.0.0';

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
        tags: [
          { name: 'documents', description: 'Policy documents with their parts and articles.' },
          { name: 'task-lists', description: 'Ordered task lists that belong to a document.' },
          { name: 'tasks', description: 'Tasks with their responsible agencies, status and derived health.' },
          { name: 'agencies', description: 'Responsible units and groups.' },
          { name: 'health', description: 'Liveness and readiness probes.' },
          { name: 'meta', description: 'This API description.' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });

    app.get(
      '/openapi.json',
      {
        schema: {
          operationId: 'getOpenApiDocument',
          tags: ['meta'],
          summary: 'This OpenAPI document',
          response: { 200: z.looseObject({}).describe('OpenAPI 3.1 document.') },
        },
      },
      async () => app.swagger(),
    );
  },
  { name: 'openapi', dependencies: ['problems'] },
);
