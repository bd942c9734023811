import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError } from '../../domain/errors.js';
import type { Principal } from '../../domain/permissions.js';
import { matchesIfNoneMatch, taskEtag, versionFromIfMatch } from '../common/etag.js';
import { answerOnce } from '../common/idempotency.js';
import { authProblems, IdParams, PageQuery, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { EventPage } from './events-schemas.js';
import { listTaskEvents } from './events.js';
import { IfNoneMatchHeaders, Task, TaskEtagHeaders, TaskPage, TaskQuery } from './schemas.js';
import { assertTaskExists, getTask, listTasks, type ReadContext } from './service.js';
import { applyBatch } from './batch.js';
import { BatchRequest, BatchResult, IdempotencyHeaders, IfMatchHeaders, ProgressReport, ReplayHeaders, ReportResult, TaskPatch, UrgeRequest, UrgeResult } from './write-schemas.js';
import { urgeTask } from './urge.js';
import { mayReadHistory } from './history-access.js';
import { reportProgress, updateTask } from './writes.js';

const tags = ['tasks'];

const taskWithEtag = (description: string) => ({ description, headers: TaskEtagHeaders, content: { 'application/json': { schema: Task } } });

const routes: FastifyPluginAsyncZod = async (app) => {
  const readContext = (): ReadContext => ({ now: app.deps.clock(), policy: app.deps.config });

  app.get(
    '/v1/tasks',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'listTasks',
        tags,
        summary: 'List tasks, by list then number',
        description: 'Filters combine with AND. Pages are keyset-based: following nextCursor neither skips nor repeats a task.',
        querystring: TaskQuery,
        response: { 200: TaskPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listTasks(app.deps.db, request.query, readContext()),
  );

  app.get(
    '/v1/tasks/:id',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getTask',
        tags,
        summary: 'Get a task',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: {
          200: taskWithEtag('The task; its ETag names its version and what of the clock it shows.'),
          304: z.undefined().describe('The task is as in the response with this ETag.'),
          ...problemResponses,
          ...authProblems,
        },
      },
    },
    async (request, reply) => {
      const task = await getTask(app.deps.db, request.params.id, readContext());
      const etag = taskEtag(task);
      void reply.header('etag', etag);
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return task;
    },
  );

  app.patch(
    '/v1/tasks/:id',
    {
      config: { access: ['agency', 'supervisor'] },
      schema: {
        operationId: 'updateTask',
        tags,
        summary: 'Change status, progress or due date (If-Match required)',
        description:
          'The lead agency moves its task among not_started, in_progress, delayed and completed, and sets progress. The supervisor verifies a completed task, rejects a completion or reopens a verified task (both with a note), and sets due dates. Each change is one ledger event.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: TaskPatch,
        response: {
          200: taskWithEtag('The task after the change, with its new ETag.'),
          ...problemResponses,
          ...authProblems,
          409: problemResponse('The transition is not open to you from the current status (allowedStatuses lists those that are), or the task is verified and read-only.'),
          412: problemResponse('If-Match names another version: the task changed since you read it (currentVersion).'),
          428: problemResponse('If-Match is missing.'),
        },
      },
    },
    async (request, reply) => {
      const expectedVersion = versionFromIfMatch(request.headers['if-match']);
      const task = await updateTask(app.deps.db, request.params.id, expectedVersion, request.body, { ...readContext(), principal: request.principal });
      void reply.header('etag', taskEtag(task));
      return task;
    },
  );

  app.post(
    '/v1/tasks/:id/reports',
    {
      config: { access: ['agency'] },
      schema: {
        operationId: 'reportProgress',
        tags,
        summary: 'Post a progress report (any responsible agency; Idempotency-Key honoured)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: ProgressReport,
        response: {
          201: {
            description: 'The report, recorded: the task after it and the ledger event.',
            headers: ReplayHeaders,
            content: { 'application/json': { schema: ReportResult } },
          },
          ...problemResponses,
          ...authProblems,
          409: problemResponse('The task is verified and read-only to agencies.'),
          422: problemResponse('The Idempotency-Key was used before with a different request.'),
        },
      },
    },
    async (request, reply) => {
      const context = { ...readContext(), principal: request.principal };
      const asked = { task: request.params.id, report: request.body };
      const body = await answerOnce(app.deps.db, request, reply, { asked, now: context.now, status: 201, run: (tx) => reportProgress(tx, request.params.id, request.body, context) });
      return reply.send(body as never);
    },
  );

  app.post(
    '/v1/tasks/:id/urge',
    {
      config: { access: ['supervisor'] },
      schema: {
        operationId: 'urgeTask',
        tags,
        summary: 'Urge a unit on a task, with a note (催办; supervisor; Idempotency-Key honoured)',
        description:
          'Records an urged event in the task’s ledger, naming the unit (the lead unless agencyId names another of the task’s units), and sends it to webhooks like any event. Being a ledger event, it moves the task’s version and ETag, as every event does.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: UrgeRequest,
        response: {
          201: { description: 'The urge, recorded: the task after it and the ledger event.', headers: ReplayHeaders, content: { 'application/json': { schema: UrgeResult } } },
          ...problemResponses,
          ...authProblems,
          422: problemResponse('The Idempotency-Key was used before with a different request.'),
        },
      },
    },
    async (request, reply) => {
      const context = { ...readContext(), principal: request.principal };
      const asked = { task: request.params.id, urge: request.body };
      const body = await answerOnce(app.deps.db, request, reply, { asked, now: context.now, status: 201, run: (tx) => urgeTask(tx, request.params.id, request.body, context) });
      return reply.send(body as never);
    },
  );

  app.post(
    '/v1/tasks::batch',
    {
      config: { access: ['agency', 'supervisor'] },
      schema: {
        operationId: 'applyTaskBatch',
        tags,
        summary: 'Apply many updates and progress reports in one request (Idempotency-Key honoured)',
        description:
          'Each item is what PATCH /v1/tasks/{id} (update, with its own ifMatch) or POST /v1/tasks/{id}/reports (report) would do, under the same rules. mode atomic (the default) applies all or none; mode independent reports each item on its own, and commits the ones that succeeded together. At most 100 items.',
        headers: IdempotencyHeaders,
        body: BatchRequest,
        response: {
          200: {
            description: 'Every item applied (atomic), or each item’s outcome (independent).',
            headers: ReplayHeaders,
            content: { 'application/json': { schema: BatchResult } },
          },
          ...problemResponsesWithout404,
          ...authProblems,
          422: problemResponse('Atomic: an item failed (failedItem says which and why) and nothing was applied; or the Idempotency-Key was used before with another batch.'),
        },
      },
    },
    async (request, reply) => {
      const context = { ...readContext(), principal: request.principal };
      const body = await answerOnce(app.deps.db, request, reply, { asked: { batch: request.body }, now: context.now, status: 200, run: (tx) => applyBatch(tx, request.body, context) });
      return reply.send(body as never);
    },
  );

  app.get(
    '/v1/tasks/:id/events',
    {
      config: { access: ['agency', 'supervisor', 'auditor'] },
      schema: {
        operationId: 'listTaskEvents',
        tags,
        summary: 'The history of a task, in chain order',
        description: 'Agency keys see the history of the tasks assigned to their agency.',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: EventPage, ...problemResponses, ...authProblems },
      },
    },
    async (request) => {
      await assertTaskExists(app.deps.db, request.params.id);
      await assertMayReadHistory(request.principal, request.params.id);
      return listTaskEvents(app.deps.db, request.params.id, request.query);
    },
  );

  async function assertMayReadHistory(principal: Principal, taskId: string) {
    if (!(await mayReadHistory(app.deps.db, principal, taskId))) {
      throw new ForbiddenError('Agency keys read the history of their own agency’s tasks only.');
    }
  }
};

export default routes;
