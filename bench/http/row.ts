import { loadavg } from 'node:os';

/** One line of the results table; targets.ts fills in target and pass. */
export interface Row {
  engine: 'postgres' | 'pglite';
  size: 'seeded' | 'bench';
  /** Stable key the targets are keyed by: list, task, task-304, summary-304, summary, agencies, as-of, timeline, reports, patch, export, startup. */
  scenario: string;
  /** load: all connections busy; latency: one request at a time. */
  mode: 'load' | 'latency' | 'once';
  label: string;
  connections: number | null;
  rate: number | null;
  unit: 'req/s' | 'writes/s' | 'rows/s' | 's';
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number | null;
  peakRssMb: number | null;
  floorRate: number | null;
  /** Server process CPU per request (per row for the export), Duban's and the floor's: steadier than rates on a busy machine. */
  cpuMs: number | null;
  floorCpuMs: number | null;
  /** Duban's rate over the floor's, measured back to back in the same run. */
  ratio: number | null;
  /** The floor answered something other than Duban: the ratio compares unlike work and fails the row. */
  floorMismatch: string | null;
  /** The share of answers with the status the scenario expects (304 for revalidation). */
  expectedShare: number | null;
  /** Contended PATCHes: applied PATCHes the task's version does not show. */
  lostUpdates: number | null;
  /** The machine's 1-minute load average as the row was measured (2 cores: above 2, others queue for the CPU too). */
  machineLoad: number;
  notes: string[];
  target: string;
  pass: boolean | null;
}

export function row(fields: Partial<Row> & Pick<Row, 'engine' | 'size' | 'scenario' | 'mode' | 'label' | 'unit'>): Row {
  return {
    connections: null,
    rate: null,
    p50Ms: null,
    p99Ms: null,
    errors: null,
    peakRssMb: null,
    floorRate: null,
    cpuMs: null,
    floorCpuMs: null,
    ratio: null,
    floorMismatch: null,
    expectedShare: null,
    lostUpdates: null,
    machineLoad: loadavg()[0]!,
    notes: [],
    target: '',
    pass: null,
    ...fields,
  };
}

/** A scenario that could not run to its end: a row that fails, saying why, rather than a run that stops. */
export function failedRow(base: Pick<Row, 'engine' | 'size'>, scenario: string, error: unknown): Row {
  return { ...row({ ...base, scenario, mode: 'load', label: scenario, unit: 'req/s', notes: [`could not run: ${error instanceof Error ? error.message : String(error)}`] }), errors: 1 };
}
