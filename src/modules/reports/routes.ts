import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { AgencyReport, ArticleReport, ArticleReportQuery, FollowUpReport, ReportQuery, StaleQuery, Summary, Timeline, TimelineQuery } from './schemas.js';
import { agencyReport, articleReport, followUpReport, type ReportContext, summaryReport, timelineReport } from './service.js';

const tags = ['reports'];
const asOfNote = 'With asOf, only ledger events recorded at or before that moment count, so the report equals the one fetched then.';

const routes: FastifyPluginAsyncZod = async (app) => {
  const context = (): ReportContext => ({ now: app.deps.clock(), policy: app.deps.config });

  app.get(
    '/v1/reports/summary',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getSummaryReport',
        tags,
        summary: 'Status, health, completion and overdue/stale counts, now or as of a past moment',
        description: asOfNote,
        querystring: ReportQuery,
        response: { 200: Summary, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => summaryReport(app.deps.db, request.query, context()),
  );

  app.get(
    '/v1/reports/agencies',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getAgencyReport',
        tags,
        summary: 'Per agency: tasks led and co-owned, their status, overdue and stale counts, last report',
        description: asOfNote,
        querystring: ReportQuery,
        response: { 200: AgencyReport, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => agencyReport(app.deps.db, request.query, context()),
  );

  app.get(
    '/v1/reports/articles',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getArticleReport',
        tags,
        summary: 'Per part and article of a document: status, overdue and stale counts',
        description: asOfNote,
        querystring: ArticleReportQuery,
        response: { 200: ArticleReport, ...problemResponses, ...authProblems },
      },
    },
    (request) => articleReport(app.deps.db, request.query, context()),
  );

  app.get(
    '/v1/reports/overdue',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getOverdueReport',
        tags,
        summary: 'Overdue tasks with their lead agency and days late',
        description: asOfNote,
        querystring: ReportQuery,
        response: { 200: FollowUpReport, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => followUpReport(app.deps.db, request.query, 'overdue', context()),
  );

  app.get(
    '/v1/reports/stale',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getStaleReport',
        tags,
        summary: 'Open tasks without a progress report for `days` days, with their lead agency',
        description: asOfNote,
        querystring: StaleQuery,
        response: { 200: FollowUpReport, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => {
      const ctx = context();
      const { days, ...query } = request.query;
      return followUpReport(app.deps.db, query, 'stale', days ? { ...ctx, policy: { ...ctx.policy, staleAfterDays: days } } : ctx);
    },
  );

  app.get(
    '/v1/reports/timeline',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getTimelineReport',
        tags,
        summary: 'Counts by status at the end of each day, week or month, for a burn-up chart',
        description: 'Computed from the ledger: each point equals the summary as of the end of its period.',
        querystring: TimelineQuery,
        response: { 200: Timeline, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => timelineReport(app.deps.db, request.query, context()),
  );
};

export default routes;
