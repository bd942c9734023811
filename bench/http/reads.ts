import { errorsOf, type LoadResult, type LoadSettings, runLoad } from './load.js';
import type { Fixtures } from './fixtures.js';
import { failedRow, row, type Row } from './row.js';
import { firstDifference, withoutNowStamps } from './same-body.js';
import type { Process } from './service.js';

export interface ReadScenario {
  scenario: string;
  label: string;
  path: string;
  /** Send back the ETag each server gave for the path as If-None-Match; the answer must be 304. */
  revalidate?: boolean;
  /** A report: also measured one request at a time, where its latency is its own and not the queue's. */
  latency?: boolean;
}

export function readScenarios(fixtures: Fixtures, asOf: string, today: string): ReadScenario[] {
  return [
    { scenario: 'list', label: 'GET /v1/tasks?status=in_progress&agency=…&limit=50', path: `/v1/tasks?status=in_progress&agency=${fixtures.listAgency}&limit=50` },
    { scenario: 'task', label: 'GET /v1/tasks/{id}', path: `/v1/tasks/${fixtures.taskId}` },
    { scenario: 'task-304', label: 'GET /v1/tasks/{id}, If-None-Match', path: `/v1/tasks/${fixtures.taskId}`, revalidate: true },
    { scenario: 'summary-304', label: 'GET /v1/reports/summary, If-None-Match', path: '/v1/reports/summary', revalidate: true },
    { scenario: 'summary', label: 'GET /v1/reports/summary', path: '/v1/reports/summary', latency: true },
    { scenario: 'agencies', label: 'GET /v1/reports/agencies', path: '/v1/reports/agencies', latency: true },
    { scenario: 'as-of', label: `GET /v1/reports/summary?asOf=${asOf}`, path: `/v1/reports/summary?asOf=${encodeURIComponent(asOf)}`, latency: true },
    { scenario: 'timeline', label: `GET /v1/reports/timeline (month, 2025-01 … ${today.slice(0, 7)})`, path: `/v1/reports/timeline?from=2025-01-01&to=${today}&interval=month`, latency: true },
  ];
}

interface Pair {
  duban: Process;
  floor: Process;
}

async function headersFor(server: Process, scenario: ReadScenario, authorization: string): Promise<Record<string, string>> {
  if (!scenario.revalidate) return { authorization };
  const response = await fetch(`${server.url}${scenario.path}`, { headers: { authorization } });
  const etag = response.headers.get('etag');
  if (!etag) throw new Error(`${server.name} gave no ETag for ${scenario.path}`);
  return { authorization, 'if-none-match': etag };
}

/**
 * Fetches the scenario's request from both servers and compares what they answer, so the floor
 * cannot silently do less work than Duban: same status, and the same JSON body (key order aside,
 * and the "now" stamps two requests cannot share). Returns where they differ, or null.
 */
async function compareWithFloor(pair: Pair, scenario: ReadScenario, headers: { duban: Record<string, string>; floor: Record<string, string> }): Promise<{ difference: string | null; compared: string }> {
  const [duban, floor] = await Promise.all([fetch(`${pair.duban.url}${scenario.path}`, { headers: headers.duban }), fetch(`${pair.floor.url}${scenario.path}`, { headers: headers.floor })]);
  if (duban.status !== floor.status) return { difference: `status ${duban.status} (Duban) ≠ ${floor.status} (floor)`, compared: '' };
  const text = await duban.text();
  if (duban.status !== 200) return { difference: null, compared: `both answered ${duban.status}` };
  const difference = firstDifference(withoutNowStamps(JSON.parse(text)), withoutNowStamps(await floor.json()));
  return { difference, compared: `floor's body compared: ${(Buffer.byteLength(text) / 1024).toFixed(1)} kB` };
}

const expectedStatus = (scenario: ReadScenario) => (scenario.revalidate ? 304 : 200);

function measured(
  base: Pick<Row, 'engine' | 'size'>,
  scenario: ReadScenario,
  mode: Row['mode'],
  duban: LoadResult,
  floor: LoadResult,
  connections: number,
  { difference, compared }: { difference: string | null; compared: string },
): Row {
  const expected = duban.byStatus[String(expectedStatus(scenario))] ?? 0;
  const others = Object.entries(duban.byStatus).filter(([status]) => Number(status) !== expectedStatus(scenario));
  return row({
    ...base,
    scenario: scenario.scenario,
    mode,
    label: mode === 'latency' ? `${scenario.label} — one at a time` : scenario.label,
    connections,
    rate: duban.rps,
    unit: 'req/s',
    p50Ms: duban.p50Ms,
    p99Ms: duban.p99Ms,
    errors: errorsOf(duban),
    peakRssMb: duban.peakRssMb,
    floorRate: floor.rps,
    cpuMs: duban.cpuMsPerAnswer,
    floorCpuMs: floor.cpuMsPerAnswer,
    ratio: floor.rps > 0 ? duban.rps / floor.rps : null,
    floorMismatch: difference,
    expectedShare: duban.answers === 0 ? 0 : expected / duban.answers,
    notes: [
      ...(others.length > 0 ? [`answers: ${Object.entries(duban.byStatus).map(([status, count]) => `${count}× ${status}`).join(', ')}`] : []),
      difference ? `floor differs: ${difference}` : compared,
      `floor p50/p99 ${floor.p50Ms ?? '—'}/${floor.p99Ms ?? '—'} ms`,
    ],
  });
}

/**
 * Every read scenario, the floor and Duban back to back (which one goes first alternates), so a
 * neighbour's load on the machine falls on both halves of a ratio alike.
 */
export async function runReads(base: Pick<Row, 'engine' | 'size'>, pair: Pair, scenarios: ReadScenario[], fixtures: Fixtures, settings: LoadSettings): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    await runRead(index, scenario).catch((error: unknown) => {
      rows.push({ ...failedRow(base, scenario.scenario, error), label: scenario.label });
      console.log(`  ${scenario.scenario}: could not run: ${String(error)}`);
    });
  }
  return rows;

  async function runRead(index: number, scenario: ReadScenario) {
    const headers = { duban: await headersFor(pair.duban, scenario, fixtures.reader), floor: await headersFor(pair.floor, scenario, fixtures.reader) };
    const comparison = await compareWithFloor(pair, scenario, headers);
    const { difference } = comparison;
    const both = async (connections: number) => {
      const run = (server: Process) => runLoad({ url: `${server.url}${scenario.path}`, server, requests: [{ method: 'GET', headers: headers[server === pair.duban ? 'duban' : 'floor'] }] }, { ...settings, connections });
      if (index % 2 === 0) {
        const floor = await run(pair.floor);
        return { floor, duban: await run(pair.duban) };
      }
      const duban = await run(pair.duban);
      return { duban, floor: await run(pair.floor) };
    };
    const load = await both(settings.connections);
    rows.push(measured(base, scenario, 'load', load.duban, load.floor, settings.connections, comparison));
    console.log(`  ${scenario.scenario}: ${load.duban.rps.toFixed(0)} req/s (floor ${load.floor.rps.toFixed(0)}), p99 ${load.duban.p99Ms} ms${difference ? ` — floor differs: ${difference}` : ''}`);
    if (scenario.latency) {
      const single = await both(1);
      rows.push(measured(base, scenario, 'latency', single.duban, single.floor, 1, comparison));
      console.log(`  ${scenario.scenario}, one at a time: p50 ${single.duban.p50Ms} ms, p99 ${single.duban.p99Ms} ms (floor ${single.floor.p50Ms}/${single.floor.p99Ms})`);
    }
  }
}
