import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authProblems, PageQuery, problemResponses } from '../common/schemas.js';
import { CreatedWebhook, Delivery, DeliveryPage, DeliveryParams, DeliveryQuery, NewWebhook, Webhook, WebhookPage, WebhookParams, WebhookPatch } from './schemas.js';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, updateWebhook } from './service.js';

const tags = ['webhooks'];
const adminOnly = { access: ['admin'] as const };

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/webhooks',
    {
      config: adminOnly,
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a URL to ledger events (admin)',
        description:
          'Every event recorded from now on that matches the filters is POSTed to the URL, signed per Standard Webhooks (README: "Webhooks"). The answer is the only time the secret is shown.',
        body: NewWebhook,
        response: { 201: CreatedWebhook, 400: problemResponses[400], ...authProblems },
      },
    },
    async (request, reply) => reply.code(201).send(await createWebhook(app.deps.db, request.body, { createdBy: request.principal.keyId, now: app.deps.clock(), allowPrivateTargets: app.deps.config.webhooks.allowPrivateTargets })),
  );

  app.get(
    '/v1/webhooks',
    {
      config: adminOnly,
      schema: { operationId: 'listWebhooks', tags, summary: 'List webhook subscriptions (admin)', querystring: PageQuery, response: { 200: WebhookPage, 400: problemResponses[400], ...authProblems } },
    },
    (request) => listWebhooks(app.deps.db, request.query),
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: adminOnly,
      schema: { operationId: 'getWebhook', tags, summary: 'Get a webhook subscription (admin)', params: WebhookParams, response: { 200: Webhook, ...problemResponses, ...authProblems } },
    },
    (request) => getWebhook(app.deps.db, request.params.id),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: adminOnly,
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Change a subscription, or disable and re-enable it (admin)',
        params: WebhookParams,
        body: WebhookPatch,
        response: { 200: Webhook, ...problemResponses, ...authProblems },
      },
    },
    (request) => updateWebhook(app.deps.db, request.params.id, request.body, { now: app.deps.clock(), allowPrivateTargets: app.deps.config.webhooks.allowPrivateTargets }),
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: adminOnly,
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete a subscription with its pending deliveries and log (admin)',
        params: WebhookParams,
        response: { 204: z.undefined().describe('Deleted.'), ...problemResponses, ...authProblems },
      },
    },
    async (request, reply) => {
      await deleteWebhook(app.deps.db, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: adminOnly,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The delivery log of a subscription, newest first, with every attempt (admin)',
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryPage, ...problemResponses, ...authProblems },
      },
    },
    (request) => listDeliveries(app.deps.db, request.params.id, request.query),
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: adminOnly,
      schema: {
        operationId: 'redeliverWebhook',
        tags,
        summary: 'Send a delivery again, as a new cycle of attempts (admin)',
        description: 'The delivery keeps its id (webhook-id), so a receiver that already has it can tell.',
        params: DeliveryParams,
        response: { 202: Delivery.describe('Queued: the dispatcher sends it at its next poll.'), ...problemResponses, ...authProblems },
      },
    },
    async (request, reply) => reply.code(202).send(await redeliver(app.deps.db, request.params.id, request.params.deliveryId, app.deps.clock())),
  );
};

export default routes;
