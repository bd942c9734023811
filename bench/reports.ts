/**
 * Prints each report's latency (median, p95 over repeated requests), live and as of a past date,
 * against the database bench/generate.ts built:
 *   npx tsx bench/reports.ts [--runs 20]
 * Requests go through the whole app (routing, auth, validation, serialization) via inject, so the
 * figures are the server's own time without the network.
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createKey } from '../src/modules/api-keys/service.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(values.runs);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/duban_bench';

const database = await openDatabase({ engine: 'postgres', url, poolMax: 10 });
const app = await buildApp({ config: loadConfig({ RATE_LIMIT_PER_MINUTE: '1000000' }), db: database.db, clock: () => new Date('2026-11-01T00:00:00Z'), logger: false });
const { key } = await createKey(database.db, { role: 'auditor', label: 'benchmark' }, { createdBy: null, now: new Date() });

const reports = [
  '/v1/reports/summary',
  '/v1/reports/summary?list=bench-l0001,bench-l0002',
  '/v1/reports/agencies',
  '/v1/reports/overdue',
  '/v1/reports/stale',
  '/v1/reports/timeline?from=2025-01-01&to=2026-10-31&interval=month',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

console.log(`runs per report: ${RUNS} (after 2 warm-up requests)`);
console.log('report'.padEnd(62), 'median ms'.padStart(10), 'p95 ms'.padStart(10), 'bytes'.padStart(10));
for (const report of reports) {
  for (const asOf of [null, '2025-12-31']) {
    const target = asOf === null || report.includes('timeline') ? report : `${report}${report.includes('?') ? '&' : '?'}asOf=${asOf}`;
    if (asOf !== null && report.includes('timeline')) continue;
    const timings: number[] = [];
    let bytes = 0;
    for (let run = 0; run < RUNS + 2; run++) {
      const began = process.hrtime.bigint();
      const response = await app.inject({ method: 'GET', url: target, headers: { authorization: `Bearer ${key}` } });
      const elapsed = Number(process.hrtime.bigint() - began) / 1e6;
      if (response.statusCode !== 200) throw new Error(`${target}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      bytes = response.rawPayload.length;
      if (run >= 2) timings.push(elapsed);
    }
    timings.sort((a, b) => a - b);
    console.log(target.padEnd(62), percentile(timings, 50).toFixed(1).padStart(10), percentile(timings, 95).toFixed(1).padStart(10), String(bytes).padStart(10));
  }
}
await app.close();
await database.close();
