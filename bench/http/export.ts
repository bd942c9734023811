import type { Fixtures } from './fixtures.js';
import { exportedTasks } from './fixtures.js';
import type { LoadSettings } from './load.js';
import { row, type Row } from './row.js';
import { cpuMs, rssMb, sampleRss } from './proc.js';
import { firstDifference } from './same-body.js';
import type { Process } from './service.js';

/** Streams one export to its end, counting lines without keeping them: the client holds nothing either. */
async function download(url: string, authorization: string): Promise<{ rows: number; status: number }> {
  const response = await fetch(`${url}/v1/exports/tasks`, { headers: { authorization, accept: 'application/x-ndjson' } });
  let rows = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  return { rows, status: response.status };
}

interface ExportRun {
  rowsPerS: number;
  exports: number;
  idleRssMb: number;
  peakRssMb: number;
  failed: number;
  cpuMsPerRow: number | null;
}

/** Whole exports one after another for the measured duration (at least one), after one warm-up export. */
async function measure(server: Process, authorization: string, settings: LoadSettings): Promise<ExportRun> {
  if (settings.warmupS > 0) await download(server.url, authorization);
  const idleRssMb = rssMb(server.pid) ?? 0;
  const rss = sampleRss(server.pid);
  const cpuBefore = cpuMs(server.pid);
  const began = performance.now();
  let rows = 0;
  let exports = 0;
  let failed = 0;
  do {
    const result = await download(server.url, authorization);
    rows += result.rows;
    exports++;
    if (result.status !== 200) failed++;
  } while (performance.now() - began < settings.durationS * 1000);
  const seconds = (performance.now() - began) / 1000;
  const cpuAfter = cpuMs(server.pid);
  const cpuMsPerRow = cpuBefore === null || cpuAfter === null || rows === 0 ? null : (cpuAfter - cpuBefore) / rows;
  return { rowsPerS: rows / seconds, exports, idleRssMb, peakRssMb: rss.stop(), failed, cpuMsPerRow };
}

/** Every line of both exports, compared as JSON: same tasks, same order, same fields. */
async function floorDifference(duban: Process, floor: Process, authorization: string): Promise<string | null> {
  const [mine, theirs] = await Promise.all([exportedTasks(duban.url, authorization), exportedTasks(floor.url, authorization)]);
  if (mine.length !== theirs.length) return `${mine.length} rows (Duban) ≠ ${theirs.length} (floor)`;
  for (const [i, line] of mine.entries()) {
    const difference = firstDifference(JSON.parse(line), JSON.parse(theirs[i]!), `$[${i}]`);
    if (difference) return difference;
  }
  return null;
}

export async function runExport(base: Pick<Row, 'engine' | 'size'>, pair: { duban: Process; floor: Process }, fixtures: Fixtures, settings: LoadSettings): Promise<Row> {
  const difference = await floorDifference(pair.duban, pair.floor, fixtures.reader);
  const floor = await measure(pair.floor, fixtures.reader, settings);
  const duban = await measure(pair.duban, fixtures.reader, settings);
  return row({
    ...base,
    scenario: 'export',
    mode: 'load',
    label: `GET /v1/exports/tasks (NDJSON, ${fixtures.taskCount} rows), one at a time`,
    connections: 1,
    rate: duban.rowsPerS,
    unit: 'rows/s',
    errors: duban.failed,
    peakRssMb: duban.peakRssMb,
    floorRate: floor.rowsPerS,
    cpuMs: duban.cpuMsPerRow,
    floorCpuMs: floor.cpuMsPerRow,
    ratio: duban.rowsPerS / floor.rowsPerS,
    floorMismatch: difference,
    notes: [
      `${duban.exports} exports; RSS ${duban.idleRssMb.toFixed(0)} MB before, peak ${duban.peakRssMb.toFixed(0)} MB (floor ${floor.peakRssMb.toFixed(0)} MB)`,
      difference ? `floor differs: ${difference}` : `floor's rows compared: all ${fixtures.taskCount}`,
    ],
  });
}
