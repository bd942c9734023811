import { asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { defaultTaskId } from '../../db/import.js';
import { agencies, agencyMembers, taskAssignments, taskIndicators, taskLinks, taskLists, type TaskRow, tasks } from '../../db/schema/index.js';
import { reportingOf } from '../../domain/reporting.js';
import { splitResponsibleCell } from '../../domain/responsible-units.js';
import { FORMAT_VERSION, type ImportFile, type TaskEntry, type UnitEntry } from './format.js';
import { groupBy } from '../common/group-by.js';
import { documentOutline } from './service.js';

type Absent = null | undefined;
type Compacted<T> = { [K in keyof T as Absent extends T[K] ? never : null extends T[K] ? never : undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : undefined extends T[K] ? K : never]?: Exclude<T[K], Absent>;
};

/** Drops the members whose value is null or undefined: the format reads a missing optional field as null. */
function compact<T extends object>(value: T): Compacted<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as Compacted<T>;
}

/**
 * A stored document in the import format, so that importing it (here or elsewhere) changes
 * nothing: every unit its tasks name (with their parents and a group's members), its text, its
 * lists and their tasks as a tree. Fields at their default are left out; a task's units are
 * written out only where the responsible-units cell or the list's owner would not give them.
 */
export async function exportDocument(db: Database, id: string): Promise<ImportFile> {
  const { document, parts, articles } = await documentOutline(db, id);
  const lists = await db.select().from(taskLists).where(eq(taskLists.documentId, id)).orderBy(asc(taskLists.position));
  const listIds = lists.map((list) => list.id);
  const taskRows = listIds.length ? await db.select().from(tasks).where(inArray(tasks.listId, listIds)).orderBy(asc(tasks.listId), asc(tasks.position)) : [];
  const taskIds = taskRows.map((task) => task.id);
  const [assignmentRows, indicatorRows, linkRows, unitRows, memberRows] = await Promise.all([
    taskIds.length ? db.select().from(taskAssignments).where(inArray(taskAssignments.taskId, taskIds)).orderBy(asc(taskAssignments.taskId), asc(taskAssignments.position)) : [],
    taskIds.length ? db.select().from(taskIndicators).where(inArray(taskIndicators.taskId, taskIds)).orderBy(asc(taskIndicators.taskId), asc(taskIndicators.position)) : [],
    taskIds.length ? db.select().from(taskLinks).where(inArray(taskLinks.taskId, taskIds)).orderBy(asc(taskLinks.taskId), asc(taskLinks.relatedTaskId)) : [],
    db.select().from(agencies).orderBy(asc(agencies.id)),
    db.select().from(agencyMembers).orderBy(asc(agencyMembers.groupId), asc(agencyMembers.memberId)),
  ]);

  const inside = new Set(taskIds);
  const outsideIds = [...new Set(linkRows.map((link) => link.relatedTaskId))].filter((relatedId) => !inside.has(relatedId));
  const outsideCreatedAt = new Map(
    (outsideIds.length ? await db.select({ id: tasks.id, createdAt: tasks.createdAt }).from(tasks).where(inArray(tasks.id, outsideIds)) : []).map((row) => [row.id, row.createdAt.getTime()]),
  );
  const unitById = new Map(unitRows.map((unit) => [unit.id, unit]));
  const membersByGroup = groupBy(memberRows, (m) => m.groupId);
  const membersOf = (groupId: string) => (membersByGroup.get(groupId) ?? []).map((m) => m.memberId);
  const resolveName = (name: string) => {
    if (unitById.has(name)) return name;
    const named = unitRows.filter((unit) => unit.name === name);
    return named.length === 1 ? named[0]!.id : null;
  };

  // Every unit named, with its ancestors and, for a group, its members: what a fresh database needs.
  const wanted = new Set<string>();
  const want = (unitId: string | null) => {
    if (unitId === null || wanted.has(unitId) || !unitById.has(unitId)) return;
    wanted.add(unitId);
    want(unitById.get(unitId)!.parentId);
    for (const member of membersOf(unitId)) want(member);
  };
  for (const row of assignmentRows) want(row.agencyId);
  for (const list of lists) want(list.ownerId);
  const units: UnitEntry[] = [];
  const placed = new Set<string>();
  const place = (unitId: string) => {
    if (placed.has(unitId)) return;
    placed.add(unitId);
    const unit = unitById.get(unitId)!;
    if (unit.parentId !== null) place(unit.parentId);
    const members = membersOf(unitId);
    units.push(compact({ id: unit.id, name: unit.name, fullName: unit.fullName, nameEn: unit.nameEn, kind: unit.kind, parent: unit.parentId, members: members.length ? members : undefined }));
  };
  [...wanted].sort().forEach(place);

  const articleNumber = new Map(articles.map((article) => [article.id, article.number]));
  const order = new Map(taskRows.map((task) => [task.id, [listIds.indexOf(task.listId), task.position] as const]));
  const before = (a: string, b: string) => {
    const [la, pa] = order.get(a)!;
    const [lb, pb] = order.get(b)!;
    return la < lb || (la === lb && pa < pb);
  };

  const assignmentsByTask = groupBy(assignmentRows, (row) => row.taskId);
  const indicatorsByTask = groupBy(indicatorRows, (row) => row.taskId);
  const linksByTask = groupBy(linkRows, (link) => link.taskId);
  const childrenOf = groupBy(taskRows, (task) => task.parentId);

  const entryOf = (task: TaskRow, ownerId: string | null): TaskEntry => {
    const assigned = (assignmentsByTask.get(task.id) ?? []).map((row) => row.agencyId);
    const implied = task.responsibleText ? splitResponsibleCell(task.responsibleText).map(resolveName) : ownerId ? [ownerId] : [];
    const unitsImplied = implied.length === assigned.length && implied.every((unitId, i) => unitId === assigned[i]);
    const indicators = (indicatorsByTask.get(task.id) ?? []).map((row) => ({ key: row.key, name: row.name, unit: row.unit, direction: row.direction, ...compact({ target: row.target, min: row.min, max: row.max, baseline: row.baseline, due: row.due }) }));
    // A pair inside the document is written once, on the task that comes first; a link to another
    // document's task only where that task is the older, so this document named it when it came in,
    // and a database holding the older document takes the export.
    const related = (linksByTask.get(task.id) ?? [])
      .filter((link) => (order.has(link.relatedTaskId) ? before(task.id, link.relatedTaskId) : (outsideCreatedAt.get(link.relatedTaskId) ?? 0) <= task.createdAt.getTime()))
      .map((link) => link.relatedTaskId);
    const children = (childrenOf.get(task.id) ?? []).map((child) => entryOf(child, ownerId));
    return compact({
      id: task.id === defaultTaskId(task.parentId ?? task.listId, task.number) ? undefined : task.id,
      number: task.number,
      label: task.label,
      title: task.title,
      text: task.text,
      article: task.articleId ? articleNumber.get(task.articleId) : undefined,
      responsibleText: task.responsibleText,
      units: unitsImplied ? undefined : assigned,
      dueDate: task.dueDate,
      window: task.plannedStart !== null || task.plannedEnd !== null ? { start: task.plannedStart, end: task.plannedEnd } : undefined,
      weight: task.weight === 1 ? undefined : task.weight,
      indicators: indicators.length ? indicators : undefined,
      related: related.length ? related : undefined,
      children: children.length ? children : undefined,
    });
  };

  return compact({
    format: FORMAT_VERSION,
    units: units.length ? units : undefined,
    document: compact({
      id: document.id,
      title: document.title,
      issuers: document.issuers,
      issuedOn: document.issuedOn,
      docNumber: document.docNumber,
      sourceFile: document.sourceFile,
      parts: parts.length
        ? parts.map((part) => {
            const partArticles = articles.filter((article) => article.partId === part.id).map((article) => compact({ number: article.number, title: article.title, text: article.text }));
            return compact({ number: part.number, title: part.title, text: part.text, articles: partArticles.length ? partArticles : undefined });
          })
        : undefined,
    }),
    lists: lists.map((list) =>
      compact({
        id: list.id,
        annex: list.annex,
        title: list.title,
        owner: list.ownerId,
        lateExtensionRequests: list.lateExtensionRequests === 'mark_late' ? undefined : list.lateExtensionRequests,
        reporting: reportingOf(list) ?? undefined,
        tasks: (childrenOf.get(null) ?? []).filter((task) => task.listId === list.id).map((task) => entryOf(task, list.ownerId)),
      }),
    ),
  }) as ImportFile;
}
