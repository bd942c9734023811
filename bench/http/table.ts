import type { Row } from './row.js';

const number = (value: number | null, digits = 0) => (value === null ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ms = (value: number | null) => (value === null ? '—' : value < 10 && !Number.isInteger(value) ? value.toFixed(1) : number(value));

const cpu = (value: number) => (value < 0.1 ? value.toFixed(3) : value.toFixed(2));

function rate(row: Row): string {
  if (row.rate === null) return '—';
  return row.unit === 's' ? `${row.rate.toFixed(2)} s` : `${number(row.rate)} ${row.unit}`;
}

/** A markdown table, then each row's notes by its number. */
export function formatTable(rows: Row[]): string {
  const header = ['#', 'engine', 'size', 'scenario', 'conns', 'rate', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'floor', '×floor', 'CPU ms/req (floor)', 'load', 'target', 'result'];
  const lines = rows.map((row, i) => [
    String(i + 1),
    row.engine,
    row.size,
    row.label,
    row.connections === null ? '—' : String(row.connections),
    rate(row),
    ms(row.p50Ms),
    ms(row.p99Ms),
    row.errors === null ? '—' : String(row.errors),
    number(row.peakRssMb),
    row.floorRate === null ? '—' : `${number(row.floorRate)}`,
    row.ratio === null ? '—' : `${row.ratio.toFixed(2)}`,
    row.cpuMs === null ? '—' : `${cpu(row.cpuMs)}${row.floorCpuMs === null ? '' : ` (${cpu(row.floorCpuMs)})`}`,
    row.machineLoad.toFixed(1),
    row.target || '—',
    row.pass === null ? '—' : row.pass ? 'pass' : 'FAIL',
  ]);
  const table = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const notes = rows.flatMap((row, i) => (row.notes.length === 0 ? [] : [`${i + 1}. ${row.notes.join('; ')}`]));
  const legend = [
    'rate: answers per second over the measured run (writes/s: 201s; rows/s: NDJSON rows); p50/p99: latency (1 ms resolution); errors: answers outside 2xx/3xx (412 excepted for the contended PATCHes) and requests without an answer.',
    'floor, ×floor: the floor server\'s rate in the same run, right before or after, and Duban\'s over it; CPU ms/req: the server process\'s own CPU per answer (per row for the export), Duban\'s (the floor\'s), the database\'s not included.',
    'load: the machine\'s 1-minute load average when the row was measured (2 cores).',
  ];
  return `${table}\n\n${legend.join('\n')}\n\n${notes.join('\n')}`;
}
