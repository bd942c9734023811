import type autocannon from 'autocannon';
import type { Fixtures } from './fixtures.js';
import { errorsOf, type LoadSettings, runLoad } from './load.js';
import { row, type Row } from './row.js';
import type { Process } from './service.js';

/**
 * Progress reports, each request to the next task of the fixtures' shuffled pool, so no two
 * writers queue on one row lock: the figure is the ledger's append rate, not a task's. Should
 * the pool run out (a small data set, a long run) it starts over, and the row says so.
 */
export async function runReportWrites(base: Pick<Row, 'engine' | 'size'>, duban: Process, fixtures: Fixtures, settings: LoadSettings): Promise<Row> {
  const targets = fixtures.reportTargets;
  let next = 0;
  const request: autocannon.Request = {
    method: 'POST',
    setupRequest: (req) => {
      const target = targets[next++ % targets.length]!;
      return {
        ...req,
        path: `/v1/tasks/${target.taskId}/reports`,
        headers: { authorization: target.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ note: `benchmark report ${next}`, progress: next % 100, evidence: ['https://example.gov.cn/bench/evidence.html'] }),
      };
    },
  };
  const result = await runLoad({ url: duban.url, server: duban, requests: [request] }, settings);
  const written = result.byStatus['201'] ?? 0;
  const notes = [`${written} reports written over ${result.answers} requests`];
  if (next > targets.length) notes.push(`the pool of ${targets.length} open tasks ran out: tasks were reported on again (${next} requests)`);
  const refused = Object.entries(result.byStatus).filter(([status]) => status !== '201');
  if (refused.length > 0) notes.push(`answers: ${refused.map(([status, count]) => `${count}× ${status}`).join(', ')}`);
  return row({
    ...base,
    scenario: 'reports',
    mode: 'load',
    label: 'POST /v1/tasks/{id}/reports, a different task each',
    connections: settings.connections,
    rate: (written / result.answers) * result.rps,
    unit: 'writes/s',
    cpuMs: result.cpuMsPerAnswer,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: errorsOf(result),
    peakRssMb: result.peakRssMb,
    notes,
  });
}

interface Context {
  etag?: string;
  sentAt?: number;
}

/**
 * Every connection reads the one task and PATCHes it with If-Match, as a client that means not to
 * lose an update does; most find that another got there first (412) and read again. The conflict
 * rate is the share of 412s among the PATCHes. A lost update shows as two applied PATCHes
 * answered with the same new version (both wrote over the same one); the task's version must also
 * have grown by at least the PATCHes applied (more when the run ended with PATCHes in flight).
 */
export async function runContendedPatches(base: Pick<Row, 'engine' | 'size'>, duban: Process, fixtures: Fixtures, settings: LoadSettings): Promise<Row> {
  const { taskId, authorization } = fixtures.patchTarget;
  const versionNow = async () => Number(((await (await fetch(`${duban.url}/v1/tasks/${taskId}`, { headers: { authorization } })).json()) as { version: number }).version);
  const before = await versionNow();
  let applied = 0;
  const versionsWritten = new Set<string>();
  let sameVersionTwice = 0;
  let patchStatuses: Record<string, number> = {};
  let patchLatencies: number[] = [];
  const requests: autocannon.Request[] = [
    { method: 'GET', path: `/v1/tasks/${taskId}`, headers: { authorization }, onResponse: (_status, _body, context, headers) => ((context as Context).etag = String(headers?.etag)) },
    {
      method: 'PATCH',
      setupRequest: (req, context) => {
        const { etag } = context as Context;
        (context as Context).sentAt = performance.now();
        // A progress the task does not have (the one it was written with is version - 1's), so each applied PATCH is a change.
        // The ETag begins with the version: "7-green".
        const progress = Number(/^"(\d+)/.exec(etag ?? '')?.[1]) % 100;
        return { ...req, path: `/v1/tasks/${taskId}`, headers: { authorization, 'content-type': 'application/json', 'if-match': etag }, body: JSON.stringify({ progress }) };
      },
      onResponse: (status, _body, context, headers) => {
        const { etag, sentAt } = context as Context;
        if (status === 200 && headers?.etag !== etag) {
          applied++;
          if (versionsWritten.has(String(headers?.etag))) sameVersionTwice++;
          versionsWritten.add(String(headers?.etag));
        }
        patchStatuses[status] = (patchStatuses[status] ?? 0) + 1;
        patchLatencies.push(performance.now() - sentAt!);
      },
    },
  ];
  const result = await runLoad(
    {
      url: duban.url,
      server: duban,
      requests,
      beforeMeasure: () => {
        patchStatuses = {};
        patchLatencies = [];
      },
    },
    settings,
  );
  const grown = (await versionNow()) - before;
  const lost = sameVersionTwice + Math.max(0, applied - grown);
  const patches = Object.values(patchStatuses).reduce((sum, count) => sum + count, 0);
  const conflicts = patchStatuses['412'] ?? 0;
  const appliedPerS = ((patchStatuses['200'] ?? 0) / result.answers) * result.rps;
  const sorted = patchLatencies.sort((a, b) => a - b);
  const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return row({
    ...base,
    scenario: 'patch',
    mode: 'load',
    label: 'PATCH /v1/tasks/{id} If-Match, one task, each after a GET',
    connections: settings.connections,
    rate: (patches / result.answers) * result.rps,
    unit: 'req/s',
    // Per request, GETs and PATCHes alike.
    cpuMs: result.cpuMsPerAnswer,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    // 412 is the expected answer to a lost race, not an error; anything else outside 2xx/3xx is.
    errors: errorsOf(result, (status) => (status >= 200 && status < 400) || status === 412),
    peakRssMb: result.peakRssMb,
    notes: [
      `PATCHes: ${Object.entries(patchStatuses).map(([status, count]) => `${count}× ${status}`).join(', ')}; conflict rate ${((conflicts / patches) * 100).toFixed(1)}%`,
      `${appliedPerS.toFixed(0)} applied/s; ${applied} applied in all (warm-up included) answered ${versionsWritten.size} distinct versions, and the version grew by ${grown}${lost === 0 ? '' : `: ${lost} LOST UPDATES`}`,
    ],
    lostUpdates: lost,
  });
}
