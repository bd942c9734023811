import { z } from 'zod';
import { BooleanFlag, CalendarDate, Id, pageOf, PageQuery } from '../common/schemas.js';

export const DocumentSummary = z
  .object({
    id: Id,
    title: z.string(),
    issuers: z.array(z.string()).describe('Issuing bodies as named in the document.'),
    issuedOn: CalendarDate.nullable().describe('Null when the source gives no date.'),
    docNumber: z.string().nullable().describe('发文字号, null when the source gives none.'),
    sourceFile: z.string().nullable().describe('Where the transcription comes from.'),
  })
  .meta({ id: 'DocumentSummary' });

export const Article = z
  .object({
    id: Id,
    number: z.string().describe('As written, e.g. （一）.'),
    title: z.string().nullable(),
    text: z.string().describe('Full text, verbatim; paragraphs separated by newlines.'),
  })
  .meta({ id: 'Article' });

export const DocumentPart = z
  .object({
    id: Id,
    number: z.string().describe('As written, e.g. 一.'),
    title: z.string().nullable(),
    text: z.string().nullable().describe('The part’s own text, before or instead of articles.'),
    articles: z.array(Article),
  })
  .meta({ id: 'DocumentPart' });

export const Document = DocumentSummary.extend({ parts: z.array(DocumentPart) }).meta({ id: 'Document' });

export const DocumentPage = pageOf(DocumentSummary).meta({ id: 'DocumentPage' });
export const DocumentListQuery = PageQuery;

export type DocumentSummary = z.infer<typeof DocumentSummary>;
export type Document = z.infer<typeof Document>;

const Counts = (what: string) => z.object({ created: z.number().int().min(0), updated: z.number().int().min(0) }).describe(what);

export const ImportSummary = z
  .object({
    documentId: Id.nullable().describe('The document the file holds; null for a file of units only.'),
    dryRun: z.boolean().describe('True when nothing was kept: the file was checked and applied, then rolled back.'),
    unchanged: z.boolean().describe('True when the file matched what was stored, so no unit, list, text or task was written and no event appended: re-importing a file changes nothing.'),
    units: Counts('Responsible units created and changed.'),
    lists: Counts('Task lists created and changed.'),
    tasks: z.object({
      created: z.number().int().min(0),
      revised: z.number().int().min(0).describe('Existing tasks whose text or structure changed, each with a revised ledger event.'),
      unchanged: z.number().int().min(0),
    }),
    events: z.number().int().min(0).describe('Ledger events appended: created, revised and rolled_up.'),
  })
  .meta({ id: 'ImportSummary' });

export const ImportQuery = z.strictObject({
  dryRun: BooleanFlag.optional().describe('true: check and apply the file, report what would change, keep nothing.'),
});

export type ImportSummary = z.infer<typeof ImportSummary>;
