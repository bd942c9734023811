import { z } from 'zod';
import { Bom, Id, InputDate, Timestamp } from '../common/schemas.js';
import { AgencyKind } from '../agencies/schemas.js';
import { type Part, SCORE_WEIGHTS, unitRecordSchema } from '../../domain/scorecard.js';
import { ReportQuery } from './schemas.js';

export const ScorecardQuery = ReportQuery.pick({ list: true, parent: true, activeOn: true, agency: true, asOf: true }).extend({
  bom: Bom,
  from: InputDate.describe('First day of the period scored (UTC).'),
  to: InputDate.describe('Last day of the period scored (UTC); the period ends at asOf when that is earlier.'),
});

const share = z.number().min(0).max(1).nullable();

export const ScorecardRow = z
  .object({
    agencyId: Id,
    name: z.string(),
    kind: AgencyKind,
    ...unitRecordSchema.shape,
    parts: z
      .object(Object.fromEntries(Object.keys(SCORE_WEIGHTS).map((part) => [part, share])) as Record<Part, typeof share>)
      .describe('Each part of the score in [0, 1] (4 decimals); null where the unit has nothing it judges. README, "Scorecards", has the rules.'),
    score: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .describe(`Out of 100: the weighted mean of the parts that apply (${Object.entries(SCORE_WEIGHTS).map(([part, weight]) => `${part} ${weight}`).join(', ')}); null when none does.`),
  })
  .meta({ id: 'ScorecardRow' });

export const Scorecards = z
  .object({
    asOf: Timestamp.describe('The moment the scorecards describe.'),
    from: Timestamp.describe('Start of the period scored.'),
    to: Timestamp.describe('End of the period scored: the end of the last day, or asOf when earlier.'),
    items: z.array(ScorecardRow),
  })
  .meta({ id: 'Scorecards', description: '考评: per unit over a period, as of a moment; work items only, like the counting reports.' });

export type ScorecardQuery = z.output<typeof ScorecardQuery>;
