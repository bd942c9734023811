import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import { ImportRejectedError } from '../domain/errors.js';
import type { Actor, AssignmentState, LedgerEntry } from '../domain/ledger.js';
import { splitResponsibleCell } from '../domain/responsible-units.js';
import type { ImportFile, IndicatorEntry, ListEntry, TaskEntry, UnitEntry } from '../modules/documents/format.js';
import { groupBy } from '../modules/common/group-by.js';
import type { ImportSummary } from '../modules/documents/schemas.js';
import type { ImportIssue } from '../modules/documents/validate.js';
import type { Database, Transaction } from './client.js';
import { appendFirstEvents, assignmentRow, type IndicatorValues, recordChange, rollUpInto } from './ledger.js';
import {
  agencies,
  agencyMembers,
  articles,
  documentParts,
  documents,
  ledgerState,
  taskAssignments,
  taskIndicators,
  type TaskIndicatorRow,
  taskLinks,
  taskLists,
  type TaskRow,
  tasks,
} from './schema/index.js';

export interface ImportOptions {
  now: Date;
  actor: Actor;
  /** How the file came in: seed:<file>, api or cli (documents.importedFrom). */
  source: string;
  dryRun?: boolean | undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const partId = (documentId: string, position: number) => `${documentId}-part-${position}`;
export const articleId = (documentId: string, position: number) => `${documentId}-art-${pad(position)}`;
/** A task's id when the file gives none: its parent's (or list's) id and its number. */
export const defaultTaskId = (parentOrListId: string, number: number) => `${parentOrListId}-${pad(number)}`;

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Rows per INSERT: well inside PostgreSQL's 65,535 bind parameters for the widest row. */
const INSERT_CHUNK = 1000;

export function importHash(file: ImportFile): string {
  return createHash('sha256').update(canonicalize(file)!).digest('hex');
}

interface UnitNode {
  id: string;
  name: string;
  parentId: string | null;
}

/**
 * Units by id, name and path, the file's over the stored ones. A name is unique only among the
 * units of one parent, so a bare name resolves only while it names one unit in all.
 */
class UnitDirectory {
  readonly byId = new Map<string, UnitNode>();

  constructor(stored: readonly UnitNode[]) {
    // Copies: planning moves units to their new parents, and the stored rows stay as stored, to compare.
    for (const { id, name, parentId } of stored) this.byId.set(id, { id, name, parentId });
  }

  /** The units the file itself defines: a name the file gives resolves to its own unit first. */
  readonly ownIds = new Set<string>();

  resolve(ref: string): { id: string } | { error: string } {
    if (this.byId.has(ref)) return { id: ref };
    const segments = ref.split('/').map((segment) => segment.trim());
    let candidates = [...this.byId.values()].filter((unit) => unit.name === segments[0]);
    for (const segment of segments.slice(1)) {
      const parents = new Set(candidates.map((unit) => unit.id));
      candidates = [...this.byId.values()].filter((unit) => unit.parentId !== null && parents.has(unit.parentId) && unit.name === segment);
    }
    const own = candidates.filter((unit) => this.ownIds.has(unit.id));
    if (candidates.length === 1 || own.length === 1) return { id: (own.length === 1 ? own[0]! : candidates[0]!).id };
    if (candidates.length === 0) return { error: `no unit has the id or name "${ref}"` };
    const paths = [...new Set(candidates.map((unit) => this.pathOf(unit)))];
    const hint = paths.length === candidates.length ? `give an id, or one of the paths ${paths.join(', ')}` : 'give an id';
    return { error: `"${ref}" names ${candidates.length} units (${candidates.map((unit) => unit.id).join(', ')}): ${hint}` };
  }

  pathOf(unit: UnitNode): string {
    const names = [unit.name];
    for (let parent = unit.parentId && this.byId.get(unit.parentId); parent; parent = parent.parentId ? this.byId.get(parent.parentId) : undefined) names.unshift(parent.name);
    return names.join('/');
  }
}

/** A task of the file as it will be stored, its structure resolved. */
interface PlannedTask {
  path: (string | number)[];
  entry: TaskEntry;
  id: string;
  listId: string;
  parentId: string | null;
  ancestorIds: string[];
  position: number;
  assignments: AssignmentState[];
  articleId: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  windowFrom: string | null;
  childCount: number;
}

interface ArticlePlan {
  id: string;
  partId: string;
  position: number;
  number: string;
  title: string | null;
  text: string;
}

type Issue = (path: (string | number)[], message: string) => void;

/** The file's units over the stored ones: parents and members resolved, cycles and clashing names reported. */
function planUnits(fileUnits: readonly UnitEntry[], storedUnits: readonly UnitNode[], issue: Issue) {
  const directory = new UnitDirectory(storedUnits);
  const seenUnitIds = new Set<string>();
  fileUnits.forEach((unit, index) => {
    if (seenUnitIds.has(unit.id)) issue(['units', index, 'id'], `unit ${unit.id} is given twice`);
    seenUnitIds.add(unit.id);
    directory.byId.set(unit.id, { id: unit.id, name: unit.name, parentId: directory.byId.get(unit.id)?.parentId ?? null });
    directory.ownIds.add(unit.id);
  });
  const unitParent = new Map<string, string | null>();
  fileUnits.forEach((unit, index) => {
    let parentId: string | null = null;
    if (unit.parent) {
      const resolved = directory.resolve(unit.parent);
      if ('error' in resolved) issue(['units', index, 'parent'], resolved.error);
      else parentId = resolved.id;
    }
    unitParent.set(unit.id, parentId);
  });
  for (const [id, parentId] of unitParent) directory.byId.get(id)!.parentId = parentId;
  fileUnits.forEach((unit, index) => {
    const visited = new Set([unit.id]);
    for (let parent = unitParent.get(unit.id) ?? null; parent !== null; parent = directory.byId.get(parent)?.parentId ?? null) {
      if (visited.has(parent)) {
        issue(['units', index, 'parent'], `unit ${unit.id} would be its own ancestor`);
        break;
      }
      visited.add(parent);
    }
  });
  const siblingsByName = new Map<string, string[]>();
  for (const unit of directory.byId.values()) {
    const key = `${unit.parentId ?? ''}\u0000${unit.name}`;
    siblingsByName.set(key, [...(siblingsByName.get(key) ?? []), unit.id]);
  }
  fileUnits.forEach((unit, index) => {
    const same = siblingsByName.get(`${unitParent.get(unit.id) ?? ''}\u0000${unit.name}`) ?? [];
    if (same.length > 1) issue(['units', index, 'name'], `"${unit.name}" is already the name of ${same.filter((id) => id !== unit.id).join(', ')} under the same parent; names are unique within a parent`);
  });
  const memberIds = new Map<string, string[]>();
  fileUnits.forEach((unit, index) => {
    if (!unit.members) return;
    const ids: string[] = [];
    unit.members.forEach((ref, m) => {
      const resolved = directory.resolve(ref);
      if ('error' in resolved) issue(['units', index, 'members', m], resolved.error);
      else if (resolved.id === unit.id) issue(['units', index, 'members', m], 'a group cannot be its own member');
      else if (!ids.includes(resolved.id)) ids.push(resolved.id);
    });
    memberIds.set(unit.id, ids);
  });

  return { directory, unitParent, memberIds };
}

/**
 * The file's tasks in document order (a parent before its children), each with its id, place,
 * ancestors, units, article and window in force; ids, numbers, units and articles that clash or do
 * not resolve are reported.
 */
function planTasks(lists: readonly ListEntry[], directory: UnitDirectory, articleByNumber: ReadonlyMap<string, string[]>, issue: Issue): PlannedTask[] {
  const planned: PlannedTask[] = [];
  const taskIds = new Map<string, (string | number)[]>();
  lists.forEach((list, l) => {
    let ownerId: string | null = null;
    if (list.owner) {
      const resolved = directory.resolve(list.owner);
      if ('error' in resolved) issue(['lists', l, 'owner'], resolved.error);
      else ownerId = resolved.id;
    }
    let position = 0;
    const walk = (entries: readonly TaskEntry[], parent: PlannedTask | null, basePath: (string | number)[]) => {
      const numbers = new Set<number>();
      entries.forEach((entry, t) => {
        const path = [...basePath, t];
        if (numbers.has(entry.number)) issue([...path, 'number'], `number ${entry.number} is given to two tasks under the same parent`);
        numbers.add(entry.number);
        const id = entry.id ?? defaultTaskId(parent?.id ?? list.id, entry.number);
        if (!ID_PATTERN.test(id) || id.length > 100) issue([...path, 'id'], `the id ${id} is not a valid id (at most 100 lowercase letters, digits and single hyphens): give a shorter id`);
        if (taskIds.has(id)) issue([...path, 'id'], `task id ${id} is already used at ${taskIds.get(id)!.join('.')}`);
        taskIds.set(id, path);

        const unitRefs = entry.units ?? (entry.responsibleText ? splitResponsibleCell(entry.responsibleText) : ownerId ? [ownerId] : []);
        const unitPath = entry.units ? [...path, 'units'] : entry.responsibleText ? [...path, 'responsibleText'] : ['lists', l, 'owner'];
        const assignments: AssignmentState[] = [];
        unitRefs.forEach((ref, u) => {
          const resolved = directory.resolve(ref);
          if ('error' in resolved) issue(entry.units ? [...unitPath, u] : unitPath, resolved.error);
          else if (assignments.some((a) => a.agencyId === resolved.id)) issue(entry.units ? [...unitPath, u] : unitPath, `names ${ref} twice`);
          else assignments.push({ agencyId: resolved.id, role: assignments.length === 0 ? 'lead' : 'co', position: assignments.length + 1, progress: null });
        });

        let article: string | null = null;
        if (entry.article) {
          const found = articleByNumber.get(entry.article) ?? [];
          if (found.length === 1) article = found[0]!;
          else issue([...path, 'article'], found.length === 0 ? `the document has no article ${entry.article}` : `article number ${entry.article} occurs ${found.length} times in the document`);
        }

        const indicatorKeys = new Set<string>();
        (entry.indicators ?? []).forEach((indicator, i) => {
          if (indicatorKeys.has(indicator.key)) issue([...path, 'indicators', i, 'key'], `indicator ${indicator.key} is given twice`);
          indicatorKeys.add(indicator.key);
        });

        const own = entry.window ? { windowStart: entry.window.start, windowEnd: entry.window.end, windowFrom: id } : null;
        const inherited = parent && parent.windowFrom !== null ? { windowStart: parent.windowStart, windowEnd: parent.windowEnd, windowFrom: parent.windowFrom } : null;
        position += 1;
        const task: PlannedTask = {
          path,
          entry,
          id,
          listId: list.id,
          parentId: parent?.id ?? null,
          ancestorIds: parent ? [...parent.ancestorIds, parent.id] : [],
          position,
          assignments,
          articleId: article,
          ...(own ?? inherited ?? { windowStart: null, windowEnd: null, windowFrom: null }),
          childCount: entry.children?.length ?? 0,
        };
        planned.push(task);
        walk(entry.children ?? [], task, [...path, 'children']);
      });
    };
    walk(list.tasks, null, ['lists', l, 'tasks']);
  });
  return planned;
}

/**
 * Applies an import file in one transaction, or nothing (README, "Bringing a list"). The whole
 * file is checked first and every issue reported; then units, the document, its lists and tasks
 * are brought to what the file says. A new task gets its created event; a task whose text or
 * structure changed gets a revised event with what changed; a parent whose derived status moves
 * gets a rolled_up event. A task's state (status, progress, reports) belongs to its ledger and is
 * never taken from a file; only dueDate, where the file gives one, is set.
 */
export async function importDocument(db: Database, file: ImportFile, options: ImportOptions): Promise<ImportSummary> {
  try {
    return await db.transaction(async (tx) => {
      const summary = await applyImport(tx, file, options);
      if (options.dryRun) throw new DryRunFinished(summary);
      return summary;
    });
  } catch (error) {
    if (error instanceof DryRunFinished) return error.summary;
    throw error;
  }
}

class DryRunFinished extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run');
  }
}

async function ledgerPosition(tx: Transaction): Promise<number> {
  const [row] = await tx.select({ position: ledgerState.position }).from(ledgerState).where(eq(ledgerState.id, 1));
  return row?.position ?? 0;
}

async function applyImport(tx: Transaction, file: ImportFile, options: ImportOptions): Promise<ImportSummary> {
  const issues: ImportIssue[] = [];
  const issue: Issue = (path, message) => issues.push({ path: path.join('.'), message });
  const startPosition = await ledgerPosition(tx);
  const at = options.now.toISOString();

  const storedUnits = await tx.select().from(agencies);
  const fileUnits = file.units ?? [];
  const { directory, unitParent, memberIds } = planUnits(fileUnits, storedUnits, issue);

  const document = file.document;
  const lists = file.lists ?? [];
  const planned: PlannedTask[] = [];
  const articlePlans: ArticlePlan[] = [];
  let storedTasks: TaskRow[] = [];
  let storedListIds: string[] = [];

  if (document) {
    const [storedDocument] = await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, document.id));
    storedListIds = storedDocument ? (await tx.select({ id: taskLists.id }).from(taskLists).where(eq(taskLists.documentId, document.id))).map((row) => row.id) : [];

    let articlePosition = 0;
    const articleByNumber = new Map<string, string[]>();
    (document.parts ?? []).forEach((part, p) => {
      for (const article of part.articles ?? []) {
        articlePosition += 1;
        const id = articleId(document.id, articlePosition);
        articlePlans.push({ id, partId: partId(document.id, p + 1), position: articlePosition, number: article.number, title: article.title ?? null, text: article.text });
        articleByNumber.set(article.number, [...(articleByNumber.get(article.number) ?? []), id]);
      }
    });

    const listIds = new Set<string>();
    const otherLists = lists.length
      ? await tx
          .select({ id: taskLists.id, documentId: taskLists.documentId })
          .from(taskLists)
          .where(
            inArray(
              taskLists.id,
              lists.map((list) => list.id),
            ),
          )
      : [];
    const listDocument = new Map(otherLists.map((row) => [row.id, row.documentId]));
    lists.forEach((list, l) => {
      if (listIds.has(list.id)) issue(['lists', l, 'id'], `list ${list.id} is given twice`);
      listIds.add(list.id);
      const owner = listDocument.get(list.id);
      if (owner !== undefined && owner !== document.id) issue(['lists', l, 'id'], `list ${list.id} belongs to document ${owner}`);
    });
    for (const listId of storedListIds) {
      if (!listIds.has(listId)) issue(['lists'], `list ${listId} of this document is missing from the file; lists with a history are never removed, keep it in the file`);
    }

    planned.push(...planTasks(lists, directory, articleByNumber, issue));

    const candidateListIds = [...new Set([...storedListIds, ...listIds])];
    storedTasks = candidateListIds.length
      ? await tx
          .select()
          .from(tasks)
          .where(
            or(
              inArray(tasks.listId, candidateListIds),
              inArray(
                tasks.id,
                planned.map((task) => task.id),
              ),
            ),
          )
          .orderBy(asc(tasks.id))
          .for('update')
      : [];
    const plannedById = new Map(planned.map((task) => [task.id, task]));
    for (const stored of storedTasks) {
      const plan = plannedById.get(stored.id);
      if (!plan) issue(['lists'], `task ${stored.id} of list ${stored.listId} is missing from the file; tasks with a history are never removed, keep it in the file`);
      else if (plan.listId !== stored.listId) issue([...plan.path, 'id'], `task ${stored.id} belongs to list ${stored.listId}; a task cannot move to another list`);
      else if (stored.childCount === 0 && plan.childCount > 0 && (stored.status !== 'not_started' || stored.progress > 0)) {
        // Its status and progress would become its new children's, undoing what its units reported.
        issue([...plan.path, 'children'], `task ${stored.id} is ${stored.status} at ${stored.progress}%: a task under way cannot gain sub-tasks; add them under a new task`);
      }
    }

    const relatedIds = [...new Set(planned.flatMap((task) => task.entry.related ?? []))].filter((id) => !plannedById.has(id));
    const knownRelated = new Set(relatedIds.length ? (await tx.select({ id: tasks.id }).from(tasks).where(inArray(tasks.id, relatedIds))).map((row) => row.id) : []);
    for (const task of planned) {
      (task.entry.related ?? []).forEach((related, r) => {
        if (related === task.id) issue([...task.path, 'related', r], 'a task is not related to itself');
        else if (!plannedById.has(related) && !knownRelated.has(related)) issue([...task.path, 'related', r], `no task has the id ${related}`);
      });
    }
  }

  const storedIndicators = storedTasks.length
    ? await tx
        .select()
        .from(taskIndicators)
        .where(
          inArray(
            taskIndicators.taskId,
            storedTasks.map((task) => task.id),
          ),
        )
        .orderBy(asc(taskIndicators.taskId), asc(taskIndicators.position))
    : [];
  const storedIndicatorsByTask = groupBy(storedIndicators, (row) => row.taskId);
  for (const task of planned) {
    const keys = new Set((task.entry.indicators ?? []).map((indicator) => indicator.key));
    for (const stored of (storedIndicatorsByTask.get(task.id) ?? []).filter((row) => !keys.has(row.key) && row.latestValue !== null)) {
      issue([...task.path, 'indicators'], `indicator ${stored.key} has reported values; it stays in the file`);
    }
  }

  if (issues.length > 0) throw new ImportRejectedError(`The file was not imported: ${issues.length} problem${issues.length === 1 ? '' : 's'}, listed in errors; nothing was written.`, issues);

  const summary: ImportSummary = {
    documentId: document?.id ?? null,
    dryRun: options.dryRun === true,
    unchanged: false,
    units: await writeUnits(tx, fileUnits, unitParent, memberIds, storedUnits),
    lists: { created: 0, updated: 0 },
    tasks: { created: 0, revised: 0, unchanged: 0 },
    events: 0,
  };

  let textChanged = false;
  let lastImportedFrom: string | null | undefined;
  if (document) {
    ({ textChanged, lastImportedFrom } = await writeDocument(tx, file, articlePlans, options));
    summary.lists = await writeLists(tx, file, directory, storedListIds);
    summary.tasks = await writeTasks(tx, planned, storedTasks, storedIndicators, options.actor, at, options.now);
    await pruneDocumentText(tx, document.id, articlePlans, (document.parts ?? []).length);
    await writeLinks(tx, planned);
    const parents = planned.filter((task) => task.childCount > 0).sort((a, b) => b.ancestorIds.length - a.ancestorIds.length);
    for (const parent of parents) await rollUpInto(tx, parent.id, options.actor, at);
  }

  summary.events = (await ledgerPosition(tx)) - startPosition;
  summary.unchanged = summary.events === 0 && !textChanged && summary.units.created + summary.units.updated + summary.lists.created + summary.lists.updated === 0;
  // A no-op import from elsewhere (an export read back) leaves the record of where the document
  // came from, so a seed keeps its document; the same source refreshes its digest.
  if (document && lastImportedFrom !== undefined && (!summary.unchanged || lastImportedFrom === null || lastImportedFrom === options.source)) {
    await tx.update(documents).set(importMeta(file, options)).where(eq(documents.id, document.id));
  }
  return summary;
}

async function writeUnits(
  tx: Transaction,
  fileUnits: readonly UnitEntry[],
  unitParent: ReadonlyMap<string, string | null>,
  memberIds: ReadonlyMap<string, string[]>,
  storedUnits: readonly (typeof agencies.$inferSelect)[],
): Promise<ImportSummary['units']> {
  const stored = new Map(storedUnits.map((unit) => [unit.id, unit]));
  const counts = { created: 0, updated: 0 };
  // Parents first, so every parent_id names a row that exists.
  const order: UnitEntry[] = [];
  const placed = new Set<string>();
  const place = (unit: UnitEntry) => {
    if (placed.has(unit.id)) return;
    placed.add(unit.id);
    const parent = fileUnits.find((candidate) => candidate.id === unitParent.get(unit.id));
    if (parent) place(parent);
    order.push(unit);
  };
  fileUnits.forEach(place);
  const storedMembers = await tx.select().from(agencyMembers);
  for (const unit of order) {
    const row = { id: unit.id, name: unit.name, fullName: unit.fullName, nameEn: unit.nameEn, kind: unit.kind, parentId: unitParent.get(unit.id) ?? null };
    const before = stored.get(unit.id);
    const members = memberIds.get(unit.id);
    const membersBefore = storedMembers.filter((m) => m.groupId === unit.id).map((m) => m.memberId);
    const membersChanged = members !== undefined && canonicalize([...members].sort()) !== canonicalize([...membersBefore].sort());
    if (!before) {
      await tx.insert(agencies).values(row);
      counts.created += 1;
    } else if (canonicalize(row) !== canonicalize({ id: before.id, name: before.name, fullName: before.fullName, nameEn: before.nameEn, kind: before.kind, parentId: before.parentId })) {
      await tx.update(agencies).set(row).where(eq(agencies.id, unit.id));
      counts.updated += 1;
    } else if (membersChanged) counts.updated += 1;
  }
  // Members may be units the file defines after their group, so memberships go in once every unit exists.
  for (const unit of order) {
    const members = memberIds.get(unit.id);
    if (members === undefined) continue;
    await tx.delete(agencyMembers).where(eq(agencyMembers.groupId, unit.id));
    if (members.length > 0) await tx.insert(agencyMembers).values(members.map((memberId) => ({ groupId: unit.id, memberId })));
  }
  return counts;
}

/** Where a document came from and what was applied, for startup seeding and report validators. */
function importMeta(file: ImportFile, options: ImportOptions) {
  return { importedFrom: options.source, importHash: importHash(file), importedAt: options.now };
}

/**
 * Writes the document, its parts and articles: whether its text changed, and where a stored one
 * last came from (undefined when it is new).
 */
async function writeDocument(
  tx: Transaction,
  file: ImportFile,
  articlePlans: readonly ArticlePlan[],
  options: ImportOptions,
): Promise<{ textChanged: boolean; lastImportedFrom: string | null | undefined }> {
  const document = file.document!;
  const row = {
    id: document.id,
    title: document.title,
    issuers: document.issuers,
    issuedOn: document.issuedOn ?? null,
    docNumber: document.docNumber ?? null,
    sourceFile: document.sourceFile ?? null,
  };
  const [before] = await tx.select().from(documents).where(eq(documents.id, document.id));
  const parts = (document.parts ?? []).map((part, p) => ({
    id: partId(document.id, p + 1),
    documentId: document.id,
    position: p + 1,
    number: part.number,
    title: part.title ?? null,
    text: part.text ?? null,
  }));
  const storedParts = before ? await tx.select().from(documentParts).where(eq(documentParts.documentId, document.id)).orderBy(asc(documentParts.position)) : [];
  const storedArticles = storedParts.length
    ? await tx
        .select()
        .from(articles)
        .where(
          inArray(
            articles.partId,
            storedParts.map((part) => part.id),
          ),
        )
        .orderBy(asc(articles.position))
    : [];
  const same = (a: object[], b: object[]) => canonicalize(a) === canonicalize(b);
  const textChanged =
    !before ||
    canonicalize(row) !== canonicalize({ id: before.id, title: before.title, issuers: before.issuers, issuedOn: before.issuedOn, docNumber: before.docNumber, sourceFile: before.sourceFile }) ||
    !same(parts, storedParts) ||
    !same([...articlePlans], storedArticles);
  const result = { textChanged, lastImportedFrom: before ? before.importedFrom : undefined };
  if (!before) await tx.insert(documents).values({ ...row, ...importMeta(file, options) });
  else if (textChanged) await tx.update(documents).set(row).where(eq(documents.id, document.id));
  if (!textChanged) return result;
  for (const part of parts) {
    await tx.insert(documentParts).values(part).onConflictDoUpdate({ target: documentParts.id, set: { number: part.number, title: part.title, text: part.text } });
  }
  for (const article of articlePlans) {
    await tx
      .insert(articles)
      .values(article)
      .onConflictDoUpdate({ target: articles.id, set: { partId: article.partId, number: article.number, title: article.title, text: article.text } });
  }
  return result;
}

/** Articles and parts the revised file no longer has; tasks no longer point at them by now. */
async function pruneDocumentText(tx: Transaction, documentId: string, articlePlans: readonly ArticlePlan[], partCount: number) {
  const parts = await tx.select({ id: documentParts.id }).from(documentParts).where(eq(documentParts.documentId, documentId));
  if (parts.length === 0) return;
  const keep = new Set(articlePlans.map((article) => article.id));
  const stale = (
    await tx
      .select({ id: articles.id })
      .from(articles)
      .where(
        inArray(
          articles.partId,
          parts.map((part) => part.id),
        ),
      )
  ).filter((article) => !keep.has(article.id));
  if (stale.length > 0) {
    await tx.delete(articles).where(
      inArray(
        articles.id,
        stale.map((article) => article.id),
      ),
    );
  }
  await tx.delete(documentParts).where(and(eq(documentParts.documentId, documentId), sql`${documentParts.position} > ${partCount}`));
}

async function writeLists(tx: Transaction, file: ImportFile, directory: UnitDirectory, storedListIds: readonly string[]): Promise<ImportSummary['lists']> {
  const document = file.document!;
  const stored = storedListIds.length ? await tx.select().from(taskLists).where(eq(taskLists.documentId, document.id)) : [];
  const byId = new Map(stored.map((list) => [list.id, list]));
  const rows = (file.lists ?? []).map((list, l) => {
    const owner = list.owner ? directory.resolve(list.owner) : null;
    return {
      id: list.id,
      documentId: document.id,
      position: l + 1,
      title: list.title,
      annex: list.annex ?? null,
      ownerId: owner && 'id' in owner ? owner.id : null,
      lateExtensionRequests: list.lateExtensionRequests ?? 'mark_late',
      reportCadence: list.reporting?.cadence ?? null,
      reportDueDay: list.reporting?.dueDay ?? null,
    };
  });
  const changed = rows.filter((row) => {
    const before = byId.get(row.id);
    return (
      !before ||
      canonicalize(row) !==
        canonicalize({
          id: before.id,
          documentId: before.documentId,
          position: before.position,
          title: before.title,
          annex: before.annex,
          ownerId: before.ownerId,
          lateExtensionRequests: before.lateExtensionRequests,
          reportCadence: before.reportCadence,
          reportDueDay: before.reportDueDay,
        })
    );
  });
  if (changed.length === 0) return { created: 0, updated: 0 };
  // Positions are unique per document: park the stored ones out of the way before renumbering.
  if (stored.length > 0) await tx.update(taskLists).set({ position: sql`-${taskLists.position}` }).where(eq(taskLists.documentId, document.id));
  for (const row of rows) await tx.insert(taskLists).values(row).onConflictDoUpdate({ target: taskLists.id, set: { position: row.position, title: row.title, annex: row.annex, ownerId: row.ownerId, lateExtensionRequests: row.lateExtensionRequests, reportCadence: row.reportCadence, reportDueDay: row.reportDueDay } });
  const created = changed.filter((row) => !byId.has(row.id)).length;
  return { created, updated: changed.length - created };
}

/** An indicator's definition as the ledger's revised events record it. */
function definitionOf(indicator: IndicatorEntry | TaskIndicatorRow) {
  return {
    key: indicator.key,
    name: indicator.name,
    unit: indicator.unit ?? null,
    direction: indicator.direction,
    target: indicator.target ?? null,
    min: indicator.min ?? null,
    max: indicator.max ?? null,
    baseline: indicator.baseline ?? null,
    due: indicator.due ?? null,
  };
}

type Revision = Partial<Record<string, { from: unknown; to: unknown }>>;

function structuralValues(task: PlannedTask) {
  const { entry } = task;
  return {
    parentId: task.parentId,
    number: entry.number,
    label: entry.label ?? null,
    title: entry.title ?? null,
    text: entry.text,
    articleId: task.articleId,
    responsibleText: entry.responsibleText ?? null,
    weight: entry.weight ?? 1,
    plannedStart: entry.window?.start ?? null,
    plannedEnd: entry.window?.end ?? null,
  };
}

function derivedValues(task: PlannedTask) {
  return {
    position: task.position,
    ancestorIds: task.ancestorIds,
    windowStart: task.windowStart,
    windowEnd: task.windowEnd,
    windowFrom: task.windowFrom,
    childCount: task.childCount,
  };
}

async function writeTasks(
  tx: Transaction,
  planned: readonly PlannedTask[],
  storedTasks: readonly TaskRow[],
  storedIndicators: readonly TaskIndicatorRow[],
  actor: Actor,
  at: string,
  now: Date,
): Promise<ImportSummary['tasks']> {
  const counts = { created: 0, revised: 0, unchanged: 0 };
  const stored = new Map(storedTasks.map((task) => [task.id, task]));
  const storedAssignments = storedTasks.length
    ? await tx
        .select()
        .from(taskAssignments)
        .where(
          inArray(
            taskAssignments.taskId,
            storedTasks.map((task) => task.id),
          ),
        )
        .orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position))
    : [];

  const assignmentsByTask = groupBy(storedAssignments, (row) => row.taskId);
  const indicatorsByTask = groupBy(storedIndicators, (row) => row.taskId);

  // Sibling numbers and list positions are unique: when any stored task moves, park every stored one first.
  const reshuffled = planned.some((task) => {
    const before = stored.get(task.id);
    return before && (before.position !== task.position || before.number !== task.entry.number || before.parentId !== task.parentId);
  });
  if (reshuffled) {
    await tx
      .update(tasks)
      .set({ position: sql`-${tasks.position}`, number: sql`-${tasks.number}` })
      .where(
        inArray(
          tasks.id,
          storedTasks.map((task) => task.id),
        ),
      );
  }

  const fresh = planned.filter((task) => !stored.has(task.id));
  if (fresh.length > 0) {
    // Pre-order, so a parent's row is in before its children's; in chunks, as a new list can hold thousands.
    for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
      await tx.insert(tasks).values(
        fresh.slice(start, start + INSERT_CHUNK).map((task) => ({
          id: task.id,
          listId: task.listId,
          ...structuralValues(task),
          ...derivedValues(task),
          dueDate: task.entry.dueDate ?? null,
          createdAt: now,
          updatedAt: now,
        })),
      );
    }
    const assignmentRows = fresh.flatMap((task) => task.assignments.map((a) => assignmentRow(task.id, a)));
    for (let start = 0; start < assignmentRows.length; start += INSERT_CHUNK) await tx.insert(taskAssignments).values(assignmentRows.slice(start, start + INSERT_CHUNK));
    const indicatorRows = fresh.flatMap((task) => (task.entry.indicators ?? []).map((indicator, i) => ({ taskId: task.id, position: i + 1, ...definitionOf(indicator) })));
    for (let start = 0; start < indicatorRows.length; start += INSERT_CHUNK) await tx.insert(taskIndicators).values(indicatorRows.slice(start, start + INSERT_CHUNK));
    await appendFirstEvents(
      tx,
      fresh.map((task) => {
        const definitions = (task.entry.indicators ?? []).map(definitionOf);
        const indicators: IndicatorValues | undefined = definitions.length ? Object.fromEntries(definitions.map((d) => [d.key, null])) : undefined;
        const dueDate = task.entry.dueDate ?? null;
        return {
          taskId: task.id,
          type: 'created',
          at,
          actor,
          changes: {
            status: { from: null, to: 'not_started' },
            progress: { from: null, to: 0 },
            dueDate: { from: null, to: dueDate },
            assignments: { from: null, to: task.assignments },
            ...(indicators ? { indicators: { from: null, to: indicators }, indicatorDefinitions: { from: null, to: definitions } } : {}),
          },
          note: null,
          evidence: [],
          state: { status: 'not_started', progress: 0, dueDate, lastReportAt: null, assignments: task.assignments, ...(indicators ? { indicators } : {}) },
        };
      }),
    );
    counts.created = fresh.length;
  }

  for (const task of planned) {
    const before = stored.get(task.id);
    if (!before) continue;
    const revision: Revision = {};
    const target = structuralValues(task);
    for (const [field, to] of Object.entries(target)) {
      const from = before[field as keyof typeof target];
      if (from !== to) revision[field] = { from, to };
    }
    const values: Partial<TaskRow> = { ...target, ...derivedValues(task) };
    if (task.entry.dueDate !== undefined && task.entry.dueDate !== before.dueDate) {
      revision.dueDate = { from: before.dueDate, to: task.entry.dueDate };
      values.dueDate = task.entry.dueDate;
    }

    const indicatorsBefore = indicatorsByTask.get(task.id) ?? [];
    const definitionsBefore = indicatorsBefore.map(definitionOf);
    const definitions = (task.entry.indicators ?? []).map(definitionOf);
    if (canonicalize(definitionsBefore) !== canonicalize(definitions)) {
      revision.indicatorDefinitions = { from: definitionsBefore, to: definitions };
      const keep = new Set(definitions.map((d) => d.key));
      const dropped = definitionsBefore.filter((d) => !keep.has(d.key)).map((d) => d.key);
      if (dropped.length > 0) await tx.delete(taskIndicators).where(and(eq(taskIndicators.taskId, task.id), inArray(taskIndicators.key, dropped)));
      for (const [i, definition] of definitions.entries()) {
        const row = { taskId: task.id, position: i + 1, ...definition };
        await tx
          .insert(taskIndicators)
          .values(row)
          .onConflictDoUpdate({ target: [taskIndicators.taskId, taskIndicators.key], set: { ...row } });
      }
      const valuesBefore = indicatorValuesFrom(indicatorsBefore);
      const valuesAfter = Object.fromEntries(definitions.map((d) => [d.key, valuesBefore[d.key] ?? null]));
      if (canonicalize(valuesBefore) !== canonicalize(valuesAfter)) revision.indicators = { from: definitionsBefore.length ? valuesBefore : null, to: definitions.length ? valuesAfter : null };
    }

    const assignmentsBefore = (assignmentsByTask.get(task.id) ?? []).map((row) => ({ agencyId: row.agencyId, role: row.role, position: row.position, progress: row.shareProgress }));
    // A unit that stays keeps its own share's progress, unless it now leads (the lead's progress is the task's).
    const assignments = task.assignments.map((a) => ({ ...a, progress: a.role === 'co' ? (assignmentsBefore.find((b) => b.agencyId === a.agencyId)?.progress ?? null) : null }));
    const assignmentsChanged = canonicalize(assignments) !== canonicalize(assignmentsBefore);

    if (Object.keys(revision).length === 0 && !assignmentsChanged) {
      counts.unchanged += 1;
      const derived = derivedValues(task);
      const derivedBefore = { position: before.position, ancestorIds: before.ancestorIds, windowStart: before.windowStart, windowEnd: before.windowEnd, windowFrom: before.windowFrom, childCount: before.childCount };
      if (reshuffled || canonicalize(derived) !== canonicalize(derivedBefore)) await tx.update(tasks).set({ ...derived, number: task.entry.number }).where(eq(tasks.id, task.id));
      continue;
    }
    counts.revised += 1;
    await recordChange(
      tx,
      task.id,
      { ...values, updatedAt: now },
      { type: 'revised', at, actor, changes: revision as LedgerEntry['changes'], note: null, evidence: [] },
      assignments,
    );
  }
  return counts;
}

function indicatorValuesFrom(rows: readonly TaskIndicatorRow[]): IndicatorValues {
  return Object.fromEntries(rows.map((row) => [row.key, row.latestValue]));
}

/** Related tasks, both ways. A pair within the document that the file no longer names is removed. */
async function writeLinks(tx: Transaction, planned: readonly PlannedTask[]) {
  const ids = planned.map((task) => task.id);
  if (ids.length === 0) return;
  const wanted = new Set<string>();
  const rows: { taskId: string; relatedTaskId: string }[] = [];
  for (const task of planned) {
    for (const related of task.entry.related ?? []) {
      for (const [a, b] of [
        [task.id, related],
        [related, task.id],
      ] as const) {
        if (wanted.has(`${a} ${b}`)) continue;
        wanted.add(`${a} ${b}`);
        rows.push({ taskId: a, relatedTaskId: b });
      }
    }
  }
  const inside = new Set(ids);
  const stored = await tx.select().from(taskLinks).where(inArray(taskLinks.taskId, ids));
  const stale = stored.filter((link) => inside.has(link.relatedTaskId) && !wanted.has(`${link.taskId} ${link.relatedTaskId}`));
  for (const link of stale) await tx.delete(taskLinks).where(and(eq(taskLinks.taskId, link.taskId), eq(taskLinks.relatedTaskId, link.relatedTaskId)));
  if (rows.length > 0) await tx.insert(taskLinks).values(rows).onConflictDoNothing();
}

