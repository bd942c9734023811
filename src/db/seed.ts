import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SYSTEM_ACTOR } from '../domain/ledger.js';
import { assignUnits, splitResponsibleCell } from '../domain/responsible-units.js';
import type { Database, Transaction } from './client.js';
import { appendFirstEvents, assignmentRow } from './ledger.js';
import { agencies, agencyKind, agencyMembers, articles, documentParts, documents, taskAssignments, taskLinks, taskLists, tasks } from './schema/index.js';

export const seedsDir = fileURLToPath(new URL('../../seeds/', import.meta.url));

const agencySeed = z.object({
  id: z.string(),
  name: z.string(),
  fullName: z.string(),
  nameEn: z.string(),
  kind: z.enum(agencyKind.enumValues),
  memberIds: z.array(z.string()).optional(),
});

const agencyFile = z.object({ agencies: z.array(agencySeed) });

const taskSeed = z.object({
  number: z.number().int().min(1),
  text: z.string().min(1),
  article: z.string().nullable().describe('Article number as written, e.g. （二）'),
  responsibleText: z.string().optional().describe('The 责任单位 cell, verbatim'),
  units: z.array(z.string()).optional().describe('Overrides the cell where it names no units'),
  related: z.array(z.string()).optional(),
});

const documentFile = z.object({
  document: z.object({
    id: z.string(),
    title: z.string(),
    issuers: z.array(z.string()),
    issuedOn: z.iso.date().nullable(),
    docNumber: z.string().nullable(),
    sourceFile: z.string(),
    parts: z.array(
      z.object({
        number: z.string(),
        title: z.string(),
        articles: z.array(z.object({ number: z.string(), title: z.string(), text: z.string() })),
      }),
    ),
  }),
  lists: z.array(
    z.object({
      id: z.string(),
      annex: z.string().nullable(),
      title: z.string(),
      owner: z.string().optional().describe('The unit the whole list belongs to, when its tasks have no cell'),
      tasks: z.array(taskSeed),
    }),
  ),
});

export type AgencySeed = z.infer<typeof agencySeed>;
export type DocumentSeed = z.infer<typeof documentFile>;
export interface SeedBundle {
  agencies: AgencySeed[];
  documents: DocumentSeed[];
}

export interface SeedResult {
  tasksCreated: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const partId = (documentId: string, position: number) => `${documentId}-part-${position}`;
const articleId = (documentId: string, position: number) => `${documentId}-art-${pad(position)}`;
const taskId = (listId: string, number: number) => `${listId}-${pad(number)}`;

/** Reads seeds/agencies.json and every other seeds/*.json as a document with its lists. */
export async function loadSeedBundle(dir = seedsDir): Promise<SeedBundle> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const read = async (file: string) => JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown;
  const bundle: SeedBundle = { agencies: [], documents: [] };
  for (const file of files) {
    const parsed = file === 'agencies.json' ? agencyFile.safeParse(await read(file)) : documentFile.safeParse(await read(file));
    if (!parsed.success) throw new Error(`seeds/${file} is malformed: ${z.prettifyError(parsed.error)}`);
    if ('agencies' in parsed.data) bundle.agencies.push(...parsed.data.agencies);
    else bundle.documents.push(parsed.data);
  }
  return bundle;
}

/**
 * Loads the seed bundle. Idempotent: rows that exist are left as they are (a task's state belongs
 * to its ledger, not to the seed), and a task gets its `created` event only when it is inserted.
 */
export async function seedDatabase(db: Database, bundle: SeedBundle, now: Date): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await seedAgencies(tx, bundle.agencies);
    const agencyIdByName = new Map(bundle.agencies.map((a) => [a.name, a.id]));
    let tasksCreated = 0;
    for (const document of bundle.documents) tasksCreated += await seedDocument(tx, document, agencyIdByName, now);
    return { tasksCreated };
  });
}

async function seedAgencies(tx: Transaction, seeds: AgencySeed[]) {
  if (seeds.length === 0) return;
  await tx
    .insert(agencies)
    .values(seeds.map(({ memberIds: _memberIds, ...agency }) => agency))
    .onConflictDoNothing();
  const memberships = seeds.flatMap((group) => (group.memberIds ?? []).map((memberId) => ({ groupId: group.id, memberId })));
  if (memberships.length > 0) await tx.insert(agencyMembers).values(memberships).onConflictDoNothing();
}

async function seedDocument(tx: Transaction, seed: DocumentSeed, agencyIdByName: ReadonlyMap<string, string>, now: Date): Promise<number> {
  const { id: documentId, title, issuers, issuedOn, docNumber, parts } = seed.document;
  await tx.insert(documents).values({ id: documentId, title, issuers, issuedOn, docNumber }).onConflictDoNothing();

  const articleIdByNumber = new Map<string, string>();
  let articlePosition = 0;
  for (const [index, part] of parts.entries()) {
    const id = partId(documentId, index + 1);
    await tx.insert(documentParts).values({ id, documentId, position: index + 1, number: part.number, title: part.title }).onConflictDoNothing();
    const rows = part.articles.map((article) => {
      articlePosition += 1;
      const aid = articleId(documentId, articlePosition);
      articleIdByNumber.set(article.number, aid);
      return { id: aid, partId: id, position: articlePosition, ...article };
    });
    if (rows.length > 0) await tx.insert(articles).values(rows).onConflictDoNothing();
  }

  let created = 0;
  for (const [index, list] of seed.lists.entries()) {
    await tx.insert(taskLists).values({ id: list.id, documentId, position: index + 1, title: list.title, annex: list.annex }).onConflictDoNothing();
    const inserted = await tx
      .insert(tasks)
      .values(
        list.tasks.map((task) => ({
          id: taskId(list.id, task.number),
          listId: list.id,
          number: task.number,
          text: task.text,
          articleId: task.article === null ? null : requireArticle(articleIdByNumber, task.article, list.id),
          responsibleText: task.responsibleText ?? null,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: tasks.id });
    const insertedIds = new Set(inserted.map((row) => row.id));
    const fresh = list.tasks.filter((task) => insertedIds.has(taskId(list.id, task.number)));
    if (fresh.length === 0) continue;
    created += fresh.length;

    // Each new task's units, unreported (progress null): its created event records them as its first state.
    const assignmentsByTask = new Map(
      fresh.map((task) => {
        const units = task.units ?? (task.responsibleText ? splitResponsibleCell(task.responsibleText) : list.owner ? [list.owner] : []);
        const assigned = assignUnits(units, agencyIdByName, task.responsibleText ?? list.title).map((a) => ({ ...a, progress: null }));
        return [taskId(list.id, task.number), assigned] as const;
      }),
    );
    const assignmentRows = [...assignmentsByTask].flatMap(([id, assigned]) => assigned.map((a) => assignmentRow(id, a)));
    if (assignmentRows.length > 0) await tx.insert(taskAssignments).values(assignmentRows);
    await appendFirstEvents(
      tx,
      [...assignmentsByTask].map(([id, assigned]) => ({
        taskId: id,
        type: 'created',
        at: now.toISOString(),
        actor: SYSTEM_ACTOR,
        changes: { status: { from: null, to: 'not_started' }, progress: { from: null, to: 0 }, dueDate: { from: null, to: null }, assignments: { from: null, to: assigned } },
        note: null,
        evidence: [],
        state: { status: 'not_started', progress: 0, dueDate: null, lastReportAt: null, assignments: assigned },
      })),
    );
  }

  const links = seed.lists.flatMap((list) =>
    list.tasks.flatMap((task) =>
      (task.related ?? []).flatMap((related) => [
        { taskId: taskId(list.id, task.number), relatedTaskId: related },
        { taskId: related, relatedTaskId: taskId(list.id, task.number) },
      ]),
    ),
  );
  if (links.length > 0) await tx.insert(taskLinks).values(links).onConflictDoNothing();
  return created;
}

function requireArticle(articleIdByNumber: ReadonlyMap<string, string>, number: string, listId: string): string {
  const id = articleIdByNumber.get(number);
  if (!id) throw new Error(`seed list ${listId} refers to article ${number}, which its document does not have`);
  return id;
}
