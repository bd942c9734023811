import accepts from '@fastify/accepts';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { agencyCsv, articleCsv, followUpCsv, indicatorCsv, reportingCsv, scorecardCsv, summaryCsv, timelineCsv } from './csv-rows.js';
import { ScorecardQuery, Scorecards } from './scorecard-schemas.js';
import { scorecardReport } from './scorecards.js';
import { reportingReport, reportingTag } from './reporting.js';
import { jsonOrCsv, sendReport } from './respond.js';
import {
  AgencyReport,
  ArticleReport,
  ArticleReportQuery,
  FollowUpQuery,
  FollowUpReport,
  IndicatorReport,
  ReportingQuery,
  ReportingReport,
  ReportQuery,
  StaleQuery,
  Summary,
  Timeline,
  TimelineQuery,
} from './schemas.js';
import { agencyReport, articleReport, followUpReport, indicatorReport, type ReportContext, reportTag, summaryReport, timelineReport } from './service.js';

const tags = ['reports'];
const etagNote =
  'The ETag is weak and names what the report depends on: the ledger position, the query and format, the settings and, for a report of now, the UTC date and what of the clock the report shows; If-None-Match with it answers 304 while none of that changed, though a live asOf moves.';
const asOfNote = `With asOf, only ledger events recorded at or before that moment count, so the report equals the one fetched then; a moment after now is refused, and today's date means now. JSON by default; Accept: text/csv gives RFC 4180 CSV. ${etagNote}`;
const errors = { ...problemResponsesWithout404, ...authProblems, 406: problemResponse('Accept allows neither application/json nor text/csv.') };
const notModified = { 304: z.undefined().describe('Nothing the report depends on changed since the response with this ETag.') };

/** The next page's address (RFC 8288), so a CSV client, which sees no nextCursor, can follow it too. */
function linkToNextPage(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null) {
  if (nextCursor === null) return;
  const next = new URL(request.url, 'http://duban.invalid');
  next.searchParams.set('cursor', nextCursor);
  void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
}

const reportHeaders = z.object({ etag: z.string().describe('Weak validator: send it as If-None-Match to get 304 while the report is unchanged.') });
const pageHeaders = reportHeaders.extend({ link: z.string().optional().describe('RFC 8288 link to the next page (rel="next"); absent on the last page.') });
const followUpNote = `${asOfNote} Paged in list order: follow nextCursor (or, for CSV, the Link header) until it is null.`;

const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(accepts);

  const context = (): ReportContext => ({ now: app.deps.clock(), policy: app.deps.config });
  const access = { access: 'public-read' as const };
  const { db } = app.deps;

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
        response: { 200: { ...jsonOrCsv(Summary, 'The summary (CSV: one row).'), headers: reportHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'summary', request.query, ctx, format),
        compute: () => summaryReport(db, request.query, ctx),
        csv: summaryCsv,
        bom: request.query.bom,
      });
    },
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
        response: { 200: { ...jsonOrCsv(AgencyReport, 'One row per agency with tasks in scope.'), headers: reportHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'agencies', request.query, ctx, format),
        compute: () => agencyReport(db, request.query, ctx),
        csv: agencyCsv,
        bom: request.query.bom,
      });
    },
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
        response: {
          200: { ...jsonOrCsv(ArticleReport, 'Parts with their articles (CSV: one row per article).'), headers: reportHeaders },
          ...notModified,
          ...errors,
          404: problemResponses[404],
        },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'articles', request.query, ctx, format),
        compute: () => articleReport(db, request.query, ctx),
        csv: articleCsv,
        bom: request.query.bom,
      });
    },
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
        response: { 200: { ...jsonOrCsv(FollowUpReport, 'One row per overdue task.'), headers: pageHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'overdue', request.query, ctx, format),
        compute: async () => {
          const report = await followUpReport(db, request.query, 'overdue', ctx);
          linkToNextPage(request, reply, report.nextCursor);
          return report;
        },
        csv: followUpCsv,
        bom: request.query.bom,
      });
    },
  );

  app.get(
    '/v1/reports/stale',
    {
      config: access,
      schema: {
        operationId: 'getStaleReport',
        tags,
        summary: 'Open tasks without a progress report for `days` days (on a list with a reporting cadence: that missed the latest period due), with their lead agency',
        description: followUpNote,
        querystring: StaleQuery,
        response: { 200: { ...jsonOrCsv(FollowUpReport, 'One row per stale task.'), headers: pageHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const base = context();
      const { days, ...query } = request.query;
      const ctx = days ? { ...base, policy: { ...base.policy, staleAfterDays: days } } : base;
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'stale', query, ctx, format),
        compute: async () => {
          const report = await followUpReport(db, query, 'stale', ctx);
          linkToNextPage(request, reply, report.nextCursor);
          return report;
        },
        csv: followUpCsv,
        bom: query.bom,
      });
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
        description: `Computed from the ledger: each point equals the summary as of the end of its period. JSON by default; Accept: text/csv gives CSV. ${etagNote}`,
        querystring: TimelineQuery,
        response: { 200: { ...jsonOrCsv(Timeline, 'One point per period (CSV: one row per point).'), headers: reportHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'timeline', request.query, ctx, format),
        compute: () => timelineReport(db, request.query, ctx),
        csv: timelineCsv,
        bom: request.query.bom,
      });
    },
  );

  app.get(
    '/v1/reports/indicators',
    {
      config: access,
      schema: {
        operationId: 'getIndicatorReport',
        tags,
        summary: 'Every indicator in scope: its target, its latest value and its value as of a past moment, and whether that value meets the target',
        description: `Parents' indicators are listed too: an indicator is its own task's target, not rolled up from the children. ${asOfNote}`,
        querystring: ReportQuery,
        response: { 200: { ...jsonOrCsv(IndicatorReport, 'One row per indicator.'), headers: reportHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'indicators', request.query, ctx, format),
        compute: () => indicatorReport(db, request.query, ctx),
        csv: indicatorCsv,
        bom: request.query.bom,
      });
    },
  );

  app.get(
    '/v1/reports/reporting',
    {
      config: access,
      schema: {
        operationId: 'getReportingReport',
        tags,
        summary: 'Per work item and responsible unit of a list with a cadence: reported on time, late, or not at all in a period (定期报送)',
        description: `A unit's first progress report in the period counts: on time on or before the due date, late after it; none is missing once the due date has passed, not_due before. A district's report counts for 各区人民政府's assignment. 400 for a list without a cadence or a period not of its cadence. ${asOfNote}`,
        querystring: ReportingQuery,
        response: {
          200: { ...jsonOrCsv(ReportingReport, 'One row per work item and responsible unit the period judges.'), headers: reportHeaders },
          ...notModified,
          ...errors,
          404: problemResponses[404],
        },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportingTag(db, request.query, ctx, format),
        compute: () => reportingReport(db, request.query, ctx),
        csv: reportingCsv,
        bom: request.query.bom,
      });
    },
  );

  app.get(
    '/v1/reports/scorecards',
    {
      config: access,
      schema: {
        operationId: 'getScorecards',
        tags,
        summary: 'Per unit over a period (考评): tasks led and co-operated, completed on time and late, overdue now, extensions, receipts, and the score',
        description: `The score's rules are in README ("Scorecards"); each row carries its parts. agency picks the unit's row. ${asOfNote}`,
        querystring: ScorecardQuery,
        response: { 200: { ...jsonOrCsv(Scorecards, 'One row per unit with tasks in scope.'), headers: reportHeaders }, ...notModified, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = context();
      return sendReport(request, reply, {
        tag: (format) => reportTag(db, 'scorecards', request.query, ctx, format),
        compute: () => scorecardReport(db, request.query, ctx),
        csv: scorecardCsv,
        bom: request.query.bom,
      });
    },
  );
};

export default routes;
