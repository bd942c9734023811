import { z } from 'zod';
import { Id, Timestamp } from '../common/schemas.js';
import { csvView } from './respond.js';
import { ScorecardRow, Scorecards } from './scorecard-schemas.js';
import {
  AgencyReport,
  AgencyRow,
  ArticleReport,
  ArticleRow,
  FollowUpReport,
  FollowUpRow,
  IndicatorReport,
  IndicatorRow,
  ReportingReport,
  ReportingRow,
  Summary,
  Timeline,
  TimelinePoint,
} from './schemas.js';

/**
 * Each report as CSV rows, and the schema of those rows, which names the columns. Rows of a list
 * report carry the report's moment (or interval), so a CSV read on its own says what it describes.
 */
export const summaryCsv = csvView(Summary, (report: z.output<typeof Summary>) => [report]);

export const agencyCsv = csvView(z.object({ asOf: Timestamp, ...AgencyRow.shape }), (report: z.output<typeof AgencyReport>) =>
  report.items.map((row) => ({ asOf: report.asOf, ...row })),
);

export const articleCsv = csvView(
  z.object({ asOf: Timestamp, partId: Id, partNumber: z.string(), partTitle: z.string(), ...ArticleRow.shape }),
  (report: z.output<typeof ArticleReport>) =>
    report.parts.flatMap((part) => part.articles.map((article) => ({ asOf: report.asOf, partId: part.id, partNumber: part.number, partTitle: part.title, ...article }))),
);

export const followUpCsv = csvView(z.object({ asOf: Timestamp, ...FollowUpRow.shape }), (report: z.output<typeof FollowUpReport>) =>
  report.items.map((row) => ({ asOf: report.asOf, ...row })),
);

export const timelineCsv = csvView(z.object({ interval: Timeline.shape.interval, ...TimelinePoint.shape }), (report: z.output<typeof Timeline>) =>
  report.points.map((point) => ({ interval: report.interval, ...point })),
);

export const scorecardCsv = csvView(z.object({ asOf: Timestamp, from: Timestamp, to: Timestamp, ...ScorecardRow.shape }), (report: z.output<typeof Scorecards>) =>
  report.items.map((row) => ({ asOf: report.asOf, from: report.from, to: report.to, ...row })),
);

export const indicatorCsv = csvView(z.object({ asOf: Timestamp, ...IndicatorRow.shape }), (report: z.output<typeof IndicatorReport>) =>
  report.items.map((row) => ({ asOf: report.asOf, ...row })),
);

export const reportingCsv = csvView(z.object({ asOf: Timestamp, listId: Id, period: z.string(), ...ReportingRow.shape }), (report: z.output<typeof ReportingReport>) =>
  report.items.map((row) => ({ asOf: report.asOf, listId: report.listId, period: report.period, ...row })),
);
