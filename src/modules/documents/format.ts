import { z } from 'zod';
import { REPORT_CADENCES } from '../../domain/reporting.js';
import { Id, InputDate, Text } from '../common/schemas.js';

/**
 * The import format (README, "Bringing a list"): one file holds a document, the responsible units
 * it introduces and its task lists. The same schema validates an upload, reads seeds/ and describes
 * the export, so import(export(x)) is x. Objects are strict: a key the format does not know is an
 * error, never silently dropped.
 */
export const FORMAT_VERSION = 'duban.document/1';

const Name = Text.trim().min(1).max(200);
const Prose = Text.min(1).max(20_000);

export const UnitRef = Text.min(1)
  .max(400)
  .describe('A unit by id (tj-education-commission), by name (市教委) when that name is unique (or names one unit of this file), or by parent path (天津职业大学/教务处).');

export const UnitKind = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,49}$/, 'lowercase letters, digits and underscores, starting with a letter')
  .describe('What sort of unit: data, not a fixed list (municipal_department, college, department, office, leading_group, group …).');

export const UnitEntry = z
  .strictObject({
    id: Id,
    name: Name.describe('Short name as written in the source (市教委, 教务处); unique among the units of the same parent.'),
    fullName: Name,
    nameEn: Name,
    kind: UnitKind,
    parent: UnitRef.nullable().optional().describe('The unit this one is part of (a college’s office, a leading group’s office).'),
    members: z.array(UnitRef).max(500).optional().describe('For a group: the units that act for the tasks assigned to it.'),
  })
  .meta({ id: 'ImportUnit' });

const IndicatorDue = z
  .union([
    z
      .string()
      .regex(/^\d{4}$/, 'a year, YYYY')
      .refine((year) => Number(year) >= 1900, 'must lie in the years 1900–9999'),
    InputDate,
  ])
  .describe('The year (YYYY) or date (YYYY-MM-DD) the target is due.');

export const IndicatorEntry = z
  .strictObject({
    key: Id.describe('Unique within the task; reports and reported values name the indicator by it.'),
    name: Name.describe('What is counted, in the source’s words.'),
    unit: Text.trim().min(1).max(50).nullable().describe('As written: 人次, 个, %; null when the source gives none.'),
    direction: z.enum(['at_least', 'at_most', 'between']).describe('at_least: met when the value reaches target; at_most: when it stays at or below; between: when it lies in [min, max].'),
    target: z.number().finite().optional().describe('With at_least and at_most.'),
    min: z.number().finite().optional().describe('With between.'),
    max: z.number().finite().optional().describe('With between.'),
    baseline: z.number().finite().nullable().optional().describe('The value the target is measured from, when the source gives one.'),
    due: IndicatorDue.nullable().optional(),
  })
  .superRefine((indicator, ctx) => {
    const ranged = indicator.direction === 'between';
    if (ranged && (indicator.min === undefined || indicator.max === undefined)) ctx.addIssue({ code: 'custom', path: ['min'], message: 'between needs min and max' });
    if (ranged && indicator.target !== undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'between takes min and max, not target' });
    if (!ranged && indicator.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: `${indicator.direction} needs a target` });
    if (!ranged && (indicator.min !== undefined || indicator.max !== undefined)) ctx.addIssue({ code: 'custom', path: ['min'], message: `${indicator.direction} takes target, not min and max` });
    if (ranged && indicator.min !== undefined && indicator.max !== undefined && indicator.min > indicator.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max is below min' });
  })
  .meta({ id: 'ImportIndicator' });

export const WindowEntry = z
  .strictObject({
    start: InputDate.nullable().describe('First day of the window; null: open at the start.'),
    end: InputDate.nullable().describe('Last day of the window; null: open at the end.'),
  })
  .refine((window) => window.start === null || window.end === null || window.start <= window.end, { message: 'start is after end', path: ['end'] })
  .describe('The planned window (a phase’s dates). A task without one inherits its parent’s.');

export const TaskEntry = z
  .strictObject({
    id: Id.optional().describe('Stable identity across imports; defaults to the parent’s (or the list’s) id, a hyphen and the two-digit number.'),
    number: z.number().int().min(1).max(100_000).describe('序号 among its siblings, as in the source.'),
    label: Text.trim().min(1).max(50).nullable().optional().describe('The numbering as written when it is not the plain number: （一）, 第一阶段, 2019年.'),
    title: Name.nullable().optional().describe('The heading, when the source gives the task one apart from its text.'),
    text: Prose.describe('The task, verbatim from the source.'),
    article: Text.min(1).max(50).nullable().optional().describe('Number of the document article it comes from, as written: （二）.'),
    responsibleText: Text.min(1).max(2000).nullable().optional().describe('The 责任单位 cell, verbatim; its units are split on 、 and ，, the first leading.'),
    units: z.array(UnitRef).max(100).optional().describe('The responsible units in order, the first leading; overrides the cell (for a cell that names no units) and the list’s owner.'),
    dueDate: InputDate.nullable().optional(),
    window: WindowEntry.nullable().optional(),
    weight: z.number().finite().min(0.001).max(1_000_000).optional().describe('Share in the parent’s roll-up; 1 by default.'),
    indicators: z.array(IndicatorEntry).max(50).optional(),
    related: z.array(Id).max(100).optional().describe('Tasks in other lists that carry the same measure, by id.'),
    get children() {
      return z.array(TaskEntry).max(1000).optional().describe('Sub-tasks (a group’s items, a phase’s steps, a year’s milestones).');
    },
  })
  .meta({ id: 'ImportTask' });

/** A list's cadence (domain/reporting.ts): each unit of each work item reports once a period, by day dueDay. */
export const ReportingEntry = z
  .strictObject({
    cadence: z.enum(REPORT_CADENCES).describe('Periods of a calendar month (2026-03) or quarter (2026-Q1), UTC.'),
    dueDay: z.number().int().min(1).max(28).describe('The day of the month (of the quarter’s last month) by which a period’s report is on time; 28 at most, so every month has it.'),
  })
  .meta({ id: 'ReportingCadence' });

export const ListEntry = z
  .strictObject({
    id: Id,
    annex: Text.trim().min(1).max(50).nullable().optional().describe('附件 number as written, when the list is an annex.'),
    title: Name,
    owner: UnitRef.nullable().optional().describe('The unit responsible for every task of the list that names no units of its own.'),
    lateExtensionRequests: z
      .enum(['mark_late', 'refuse'])
      .optional()
      .describe('An extension request made after the due date: accepted and marked late (mark_late, the default), or refused.'),
    reporting: ReportingEntry.nullable().optional().describe('Its reporting periods; none when left out.'),
    tasks: z.array(TaskEntry).max(5000),
  })
  .meta({ id: 'ImportList' });

export const ArticleEntry = z.strictObject({
  number: Text.trim().min(1).max(50).describe('As written: （一）.'),
  title: Name.nullable().optional(),
  text: Prose,
});

export const PartEntry = z.strictObject({
  number: Text.trim().min(1).max(50).describe('As written: 一.'),
  title: Name.nullable().optional(),
  text: Prose.nullable().optional().describe('The part’s own text, before or instead of articles.'),
  articles: z.array(ArticleEntry).max(500).optional(),
});

export const DocumentEntry = z.strictObject({
  id: Id,
  title: Name,
  issuers: z.array(Name).max(50),
  issuedOn: InputDate.nullable().optional(),
  docNumber: Text.trim().min(1).max(100).nullable().optional().describe('发文字号 as written.'),
  sourceFile: Text.min(1).max(300).nullable().optional().describe('Where the transcription comes from.'),
  parts: z.array(PartEntry).max(200).optional(),
});

export const ImportFile = z
  .strictObject({
    $schema: z.string().max(500).optional(),
    $comment: Text.max(5000).optional(),
    format: z.literal(FORMAT_VERSION).describe('The format version; a file in a version this server does not know is refused.'),
    units: z.array(UnitEntry).max(10_000).optional().describe('Units the file introduces or updates; its tasks may also name units already known.'),
    document: DocumentEntry.optional(),
    lists: z.array(ListEntry).max(100).optional(),
  })
  .refine((file) => file.lists === undefined || file.lists.length === 0 || file.document !== undefined, { message: 'lists belong to a document: give document', path: ['document'] })
  .meta({ id: 'ImportFile', description: 'A whole document, its responsible units and its task lists, in the import format (README).' });

export type ImportFile = z.output<typeof ImportFile>;
export type UnitEntry = z.output<typeof UnitEntry>;
export type ListEntry = z.output<typeof ListEntry>;
export type IndicatorEntry = z.output<typeof IndicatorEntry>;
export type TaskEntry = z.output<typeof TaskEntry>;
