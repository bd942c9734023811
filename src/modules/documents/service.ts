import { asc, eq, gt, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { articles, documentParts, documents } from '../../db/schema/index.js';
import { NotFoundError } from '../../domain/errors.js';
import { idAfter, paginate } from '../common/cursor.js';
import type { Document, DocumentSummary } from './schemas.js';

export async function listDocuments(db: Database, page: { limit: number; cursor?: string | undefined }) {
  const after = idAfter(page.cursor);
  const rows = await db
    .select({ id: documents.id, title: documents.title, issuers: documents.issuers, issuedOn: documents.issuedOn, docNumber: documents.docNumber, sourceFile: documents.sourceFile })
    .from(documents)
    .where(after === undefined ? undefined : gt(documents.id, after))
    .orderBy(asc(documents.id))
    .limit(page.limit + 1);
  const { rows: items, nextCursor } = paginate<DocumentSummary>(rows, page.limit, (row) => [row.id]);
  return { items, nextCursor };
}

/** A document's parts and articles, each in document order; throws when there is no such document. */
export async function documentOutline(db: Database, id: string) {
  const [document] = await db.select().from(documents).where(eq(documents.id, id));
  if (!document) throw new NotFoundError('document', id);
  const parts = await db.select().from(documentParts).where(eq(documentParts.documentId, id)).orderBy(asc(documentParts.position));
  const partArticles = parts.length
    ? await db
        .select()
        .from(articles)
        .where(
          inArray(
            articles.partId,
            parts.map((p) => p.id),
          ),
        )
        .orderBy(asc(articles.position))
    : [];
  return { document, parts, articles: partArticles };
}

export async function getDocument(db: Database, id: string): Promise<Document> {
  const { document, parts, articles: partArticles } = await documentOutline(db, id);
  const { id: documentId, title, issuers, issuedOn, docNumber, sourceFile } = document;
  return {
    id: documentId,
    title,
    issuers,
    issuedOn,
    docNumber,
    sourceFile,
    parts: parts.map((part) => ({
      id: part.id,
      number: part.number,
      title: part.title,
      text: part.text,
      articles: partArticles
        .filter((a) => a.partId === part.id)
        .map(({ id: articleId, number, title: articleTitle, text }) => ({ id: articleId, number, title: articleTitle, text })),
    })),
  };
}
