import accepts from '@fastify/accepts';
import etag from '@fastify/etag';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { agencyCsv, articleCsv, followUpCsv, summaryCsv, timelineCsv } from './csv-rows.js';
import { jsonOrCsv, sendReport } from './respond.js';
import { AgencyReport, ArticleReport, ArticleReportQuery, FollowUpQuery, FollowUpReport, ReportQuery, StaleQuery, Summary, Timeline, TimelineQuery } from './schemas.js';
import { agencyReport, articleReport, followUpReport, type ReportContext, summaryReport, timelineReport } from './service.js';

const tags = ['reports'];
const asOfNote =
  'With asOf, only ledger events recorded at or before that moment count, so the report equals the one fetched then. JSON by default; Accept: text/csv gives RFC 4180 CSV. ETag and If-None-Match (304) are supported.';
const errors = { ...problemResponsesWithout404, ...authProblems, 406: problemResponse('Accept allows neither application/json nor text/csv.') };

/** The next page's address (RFC 8288), so a CSV client, which sees no nextCursor, can follow it too. */
function linkToNextPage(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null) {
  if (nextCursor === null) return;
  const next = new URL(request.url, 'http://duban.invalid');
  next.searchParams.set('cursor', nextCursor);
  void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
}

const pageHeaders = z.object({ link: z.string().optional().describe('RFC 8288 link to the next page (rel="next"); absent on the last page.') });
const followUpNote = `${asOfNote} Paged by list and number: follow nextCursor (or, for CSV, the Link header) until it is null.`;

const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(accepts);
  // A strong validator over the exact bytes sent; a repeated request for an unchanged report gets 304.
  await app.register(etag, { algorithm: 'sha256' });

  const context = (): ReportContext => ({ now: app.deps.clock(), policy: app.deps.config });
  const access = { access: 'public-read' as const };

  app.get(
    '/v1/reports/summary',
    {
      config: access,
      schema: {
        operationId: 'getSummaryReport',
        tags,
        summary: 'Status, health, completion and overdue/stale counts, now or as of a past moment',
        description: asOfNote,
        querystring: ReportQuery,
        response: { 200: jsonOrCsv(Summary, 'The summary (CSV: one row).'), ...errors },
      },
    },
    async (request, reply) => sendReport(request, reply, await summaryReport(app.deps.db, request.query, context()), summaryCsv, request.query.bom),
  );

  app.get(
    '/v1/reports/agencies',
    {
      config: access,
      schema: {
        operationId: 'getAgencyReport',
        tags,
        summary: 'Per agency: tasks led and co-owned, their status, overdue and stale counts, last report',
        description: asOfNote,
        querystring: ReportQuery,
        response: { 200: jsonOrCsv(AgencyReport, 'One row per agency with tasks in scope.'), ...errors },
      },
    },
    async (request, reply) =>
      sendReport(request, reply, await agencyReport(app.deps.db, request.query, context()), agencyCsv, request.query.bom),
  );

  app.get(
    '/v1/reports/articles',
    {
      config: access,
      schema: {
        operationId: 'getArticleReport',
        tags,
        summary: 'Per part and article of a document: status, overdue and stale counts',
        description: asOfNote,
        querystring: ArticleReportQuery,
        response: { 200: jsonOrCsv(ArticleReport, 'Parts with their articles (CSV: one row per article).'), ...errors, 404: problemResponses[404] },
      },
    },
    async (request, reply) =>
      sendReport(request, reply, await articleReport(app.deps.db, request.query, context()), articleCsv, request.query.bom),
  );

  app.get(
    '/v1/reports/overdue',
    {
      config: access,
      schema: {
        operationId: 'getOverdueReport',
        tags,
        summary: 'Overdue tasks with their lead agency and days late',
        description: followUpNote,
        querystring: FollowUpQuery,
        response: { 200: { ...jsonOrCsv(FollowUpReport, 'One row per overdue task.'), headers: pageHeaders }, ...errors },
      },
    },
    async (request, reply) => {
      const report = await followUpReport(app.deps.db, request.query, 'overdue', context());
      linkToNextPage(request, reply, report.nextCursor);
      return sendReport(request, reply, report, followUpCsv, request.query.bom);
    },
  );

  app.get(
    '/v1/reports/stale',
    {
      config: access,
      schema: {
        operationId: 'getStaleReport',
        tags,
        summary: 'Open tasks without a progress report for `days` days, with their lead agency',
        description: followUpNote,
        querystring: StaleQuery,
        response: { 200: { ...jsonOrCsv(FollowUpReport, 'One row per stale task.'), headers: pageHeaders }, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      const { days, ...query } = request.query;
      const report = await followUpReport(app.deps.db, query, 'stale', days ? { ...ctx, policy: { ...ctx.policy, staleAfterDays: days } } : ctx);
      linkToNextPage(request, reply, report.nextCursor);
      return sendReport(request, reply, report, followUpCsv, query.bom);
    },
  );

  app.get(
    '/v1/reports/timeline',
    {
      config: access,
      schema: {
        operationId: 'getTimelineReport',
        tags,
        summary: 'Counts by status at the end of each day, week or month, for a burn-up chart',
        description: 'Computed from the ledger: each point equals the summary as of the end of its period. JSON by default; Accept: text/csv gives CSV.',
        querystring: TimelineQuery,
        response: { 200: jsonOrCsv(Timeline, 'One point per period (CSV: one row per point).'), ...errors },
      },
    },
    async (request, reply) =>
      sendReport(request, reply, await timelineReport(app.deps.db, request.query, context()), timelineCsv, request.query.bom),
  );
};

export default routes;
