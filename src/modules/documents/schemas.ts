import { z } from 'zod';
import { CalendarDate, Id, pageOf, PageQuery } from '../common/schemas.js';

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
