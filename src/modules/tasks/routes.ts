import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { Task, TaskEtagHeaders, TaskPage, TaskQuery } from './schemas.js';
import { getTask, listTasks, type ReadContext, taskEtag } from './service.js';

const tags = ['tasks'];

const routes: FastifyPluginAsyncZod = async (app) => {
  const readContext = (): ReadContext => ({ now: app.deps.clock(), policy: app.deps.config });

  app.get(
    '/v1/tasks',
    {
      schema: {
        operationId: 'listTasks',
        tags,
        summary: 'List tasks, by list then number',
        description: 'Filters combine with AND. Pages are keyset-based: following nextCursor neither skips nor repeats a task.',
        querystring: TaskQuery,
        response: { 200: TaskPage, ...problemResponsesWithout404 },
      },
    },
    (request) => listTasks(app.deps.db, request.query, readContext()),
  );

  app.get(
    '/v1/tasks/:id',
    {
      schema: {
        operationId: 'getTask',
        tags,
        summary: 'Get a task',
        params: IdParams,
        response: { 200: { description: 'The task; ETag carries its version.', headers: TaskEtagHeaders, content: { 'application/json': { schema: Task } } }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const task = await getTask(app.deps.db, request.params.id, readContext());
      void reply.header('etag', taskEtag(task.version));
      return task;
    },
  );
};

export default routes;
