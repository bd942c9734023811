import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import agencyRoutes from './modules/agencies/routes.js';
import apiKeyRoutes from './modules/api-keys/routes.js';
import auditRoutes from './modules/audit/routes.js';
import documentRoutes, { IMPORT_BODY_LIMIT } from './modules/documents/routes.js';
import healthRoutes from './modules/health/routes.js';
import metricsRoutes from './modules/metrics/routes.js';
import exportRoutes from './modules/exports/routes.js';
import extensionRoutes from './modules/extensions/routes.js';
import receiptRoutes from './modules/receipts/routes.js';
import webhookRoutes from './modules/webhooks/routes.js';
import reminderRoutes from './modules/reminders/routes.js';
import reportRoutes from './modules/reports/routes.js';
import taskListRoutes from './modules/task-lists/routes.js';
import taskRoutes from './modules/tasks/routes.js';
import auth from './plugins/auth.js';
import body from './plugins/body.js';
import context, { type AppDeps } from './plugins/context.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import { RequestLog } from './plugins/request-log.js';
import problems, { answerUnroutedRequests, clientErrorHandler, frameworkErrorHandler, sendProblem } from './plugins/problems.js';
import security from './plugins/security.js';
// Last: the board reads the API's schemas, whose first import fixes the order of the OpenAPI document's components.
import board from './modules/board/plugin.js';

export interface BuildOptions extends AppDeps {
  /** false for no log (most tests); a level and a stream to read the log (tests of the log); the config's level on stdout by default. */
  logger?: false | { level: string; stream?: { write(line: string): void } };
}

/** Builds the application without listening: server.ts listens, tests inject. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { http } = options.config;
  const app = Fastify({
    // Keys travel in Authorization; the default serializers do not log headers, and redaction makes sure.
    logger: options.logger === false ? false : { level: options.config.logLevel, ...options.logger, redact: ['req.headers.authorization', 'req.headers["idempotency-key"]'] },
    logController: new RequestLog(),
    genReqId: () => randomUUID(),
    bodyLimit: 262_144,
    // Bounds on what a client can make the server hold or parse (OWASP API4).
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // While closing, Fastify would answer requests still arriving on open keep-alive connections
    // with a bare JSON 503; serving them (each then told to close its connection) loses nothing.
    return503OnClosing: false,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    // Node checks the header and request timeouts on this period; its default (30 s) would let a slow client run three times over.
    http: {
      headersTimeout: http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, http.headersTimeoutMs),
      // Node would refuse a request without Host with an empty 400; the hook below answers it as a problem document.
      requireHostHeader: false,
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.server.maxConnections = http.maxConnections;
  answerUnroutedRequests(app.server, IMPORT_BODY_LIMIT);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.header('connection', 'close');
      return sendProblem(request, reply, 'bad_request', 'An HTTP/1.1 request must carry a Host header (RFC 9112 §3.2).');
    }
  });

  // Fastify closes the keep-alive connections that are idle when close() starts; one that is
  // still serving a request then would stay open until its client gives up, holding close()
  // back. Telling clients to hang up after the response lets every connection drain.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });

  await app.register(context, { config: options.config, db: options.db, clock: options.clock, notifications: options.notifications });
  await app.register(problems);
  await app.register(metrics);
  await app.register(body);
  await app.register(security);
  await app.register(auth);
  await app.register(openapi);

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  // Everything under /v1 passes the key check; routes only state who may call them (config.access).
  await app.register(async (v1) => {
    v1.addHook('onRequest', v1.requireKey);
    await v1.register(documentRoutes);
    await v1.register(taskListRoutes);
    await v1.register(taskRoutes);
    await v1.register(extensionRoutes);
    await v1.register(receiptRoutes);
    await v1.register(agencyRoutes);
    await v1.register(apiKeyRoutes);
    await v1.register(auditRoutes);
    await v1.register(reportRoutes);
    await v1.register(exportRoutes);
    await v1.register(webhookRoutes);
    await v1.register(reminderRoutes);
  });
  await app.register(board);

  return app;
}
