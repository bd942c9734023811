import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, IdParams, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { TaskList, TaskListPage, TaskListQuery } from './schemas.js';
import { getTaskList, listTaskLists } from './service.js';

const tags = ['task-lists'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/task-lists',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'listTaskLists',
        tags,
        summary: 'List task lists, by document then position in the document',
        querystring: TaskListQuery,
        response: { 200: TaskListPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listTaskLists(app.deps.db, request.query),
  );

  app.get(
    '/v1/task-lists/:id',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getTaskList',
        tags,
        summary: 'Get a task list',
        params: IdParams,
        response: { 200: TaskList, ...problemResponses, ...authProblems },
      },
    },
    (request) => getTaskList(app.deps.db, request.params.id),
  );
};

export default routes;
