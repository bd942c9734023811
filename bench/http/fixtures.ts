/**
 * What the scenarios need from a running service, found through its API (so PGlite, whose data
 * directory the service holds, is served alike): keys minted with the bootstrap admin key, the
 * agency and task the reads name, and the tasks the writes go to. Every pick is a rule over the
 * data, not a chosen id, and picks the heaviest case the rule allows.
 */

interface ExportedTask {
  id: string;
  version: number;
  status: string;
  childCount: number;
  assignments: { agencyId: string; role: string }[];
  relatedTaskIds: string[];
  indicators: unknown[];
}

export interface WriteTarget {
  taskId: string;
  /** Authorization header value of a key of the task's lead agency. */
  authorization: string;
}

export interface Fixtures {
  /** Authorization header value of an auditor key, for every read. */
  reader: string;
  taskCount: number;
  /** The agency the filtered list names: the one most in-progress tasks are directly assigned to. */
  listAgency: string;
  /** The task the single-task reads name: the one with the most assignments, related tasks and indicators. */
  taskId: string;
  /** The task the contended PATCHes go to, and who may change it. */
  patchTarget: WriteTarget;
  /** Progress-report targets, each a different task, in a shuffled order spread over the lists. */
  reportTargets: WriteTarget[];
}

export async function mintKey(url: string, admin: string, body: { role: string; agencyId?: string; label: string }): Promise<string> {
  const response = await fetch(`${url}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`minting a ${body.role} key answered ${response.status}: ${await response.text()}`);
  return `Bearer ${((await response.json()) as { key: string }).key}`;
}

export async function exportedTasks(url: string, authorization: string): Promise<string[]> {
  const response = await fetch(`${url}/v1/exports/tasks`, { headers: { authorization } });
  if (response.status !== 200) throw new Error(`the tasks export answered ${response.status}`);
  return (await response.text()).split('\n').filter((line) => line !== '');
}

const leadOf = (task: ExportedTask) => task.assignments.find((assignment) => assignment.role === 'lead')?.agencyId;
/** Work items still open to agencies: a verified task is read-only to them, and a parent's status and progress roll up. */
const openWorkItem = (task: ExportedTask) => task.childCount === 0 && task.status !== 'verified' && leadOf(task) !== undefined;

/**
 * The seeded lists start with every task not started, which would leave the in-progress list
 * empty; a data set where nothing is in progress gets every open work item moved there by its
 * lead agency, through the API, as in the months after a list is assigned. Returns how many.
 */
export async function startWork(url: string, admin: string): Promise<number> {
  const reader = await mintKey(url, admin, { role: 'auditor', label: 'benchmark set-up' });
  const tasks = (await exportedTasks(url, reader)).map((line) => JSON.parse(line) as ExportedTask);
  if (tasks.some((task) => task.status === 'in_progress')) return 0;
  const keys = new Map<string, string>();
  let moved = 0;
  for (const task of tasks.filter(openWorkItem)) {
    const agencyId = leadOf(task)!;
    if (!keys.has(agencyId)) keys.set(agencyId, await mintKey(url, admin, { role: 'agency', agencyId, label: `benchmark set-up ${agencyId}` }));
    const response = await fetch(`${url}/v1/tasks/${task.id}`, {
      method: 'PATCH',
      headers: { authorization: keys.get(agencyId)!, 'content-type': 'application/json', 'if-match': `"${task.version}"` },
      body: JSON.stringify({ status: 'in_progress', progress: 10 }),
    });
    if (response.status !== 200) throw new Error(`moving ${task.id} to in_progress answered ${response.status}: ${await response.text()}`);
    moved++;
  }
  return moved;
}

export async function prepareFixtures(url: string, admin: string): Promise<Fixtures> {
  const reader = await mintKey(url, admin, { role: 'auditor', label: 'benchmark reader' });
  const tasks = (await exportedTasks(url, reader)).map((line) => JSON.parse(line) as ExportedTask);

  const inProgress = new Map<string, number>();
  for (const task of tasks.filter((t) => t.status === 'in_progress')) {
    for (const { agencyId } of task.assignments) inProgress.set(agencyId, (inProgress.get(agencyId) ?? 0) + 1);
  }
  const listAgency = [...inProgress].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  if (!listAgency) throw new Error('no task is in progress: the filtered list would be empty');

  const weight = (task: ExportedTask) => task.assignments.length + task.relatedTaskIds.length + task.indicators.length;
  const taskId = tasks.reduce((best, task) => (weight(task) > weight(best) ? task : best)).id;

  const writable = shuffled(tasks.filter(openWorkItem));
  const keys = new Map<string, string>();
  const targetOf = async (task: ExportedTask): Promise<WriteTarget> => {
    const agencyId = leadOf(task)!;
    if (!keys.has(agencyId)) keys.set(agencyId, await mintKey(url, admin, { role: 'agency', agencyId, label: `benchmark ${agencyId}` }));
    return { taskId: task.id, authorization: keys.get(agencyId)! };
  };
  const patchTask = writable.find((task) => task.status === 'in_progress') ?? writable[0];
  if (!patchTask) throw new Error('no task is open to agencies: nothing to write to');
  const reportTargets: WriteTarget[] = [];
  for (const task of writable) if (task !== patchTask) reportTargets.push(await targetOf(task));
  return { reader, taskCount: tasks.length, listAgency, taskId, patchTarget: await targetOf(patchTask), reportTargets };
}

/** A fixed-seed shuffle: the same data gives the same order, and neighbouring writes land in different lists. */
function shuffled<T>(items: T[]): T[] {
  const result = [...items];
  let seed = 42;
  for (let i = result.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
