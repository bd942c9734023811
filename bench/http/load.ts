import autocannon from 'autocannon';
import { cpuMs, sampleRss } from './proc.js';
import type { Process } from './service.js';

export interface LoadSettings {
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface LoadTarget {
  url: string;
  /** The process whose RSS is sampled while the measured part runs, and which settles after each part. */
  server: Pick<Process, 'pid' | 'settle'>;
  /** One request, or a sequence each connection repeats (see autocannon's requests option). */
  requests: autocannon.Request[];
  /** Called between the warm-up and the measured run, e.g. to reset tallies the requests keep. */
  beforeMeasure?: () => void;
}

export interface LoadResult {
  /** Answers per second over the measured part, whatever their status. */
  rps: number;
  answers: number;
  /** autocannon's histogram has 1 ms resolution; null when nothing was answered. */
  p50Ms: number | null;
  p99Ms: number | null;
  byStatus: Record<string, number>;
  /** Connection errors and timeouts (autocannon counts timeouts among its errors): requests that got no answer. */
  socketErrors: number;
  peakRssMb: number;
  /** The server process's CPU time over the measured run, per answer. */
  cpuMsPerAnswer: number | null;
}

/**
 * A warm-up run whose figures are dropped (JIT, connection pools, caches), then the measured run
 * with the server's RSS sampled throughout, each followed by the server settling (answers still
 * owed to requests the run gave up on count in neither, and burden no later run). Both keep every connection busy (no rate limit): the
 * figure is what the server sustains, not what a client asked for.
 */
export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  const options = { url: target.url, connections: settings.connections, requests: target.requests, timeout: 30 };
  if (settings.warmupS > 0) {
    await autocannon({ ...options, duration: settings.warmupS });
    await target.server.settle();
  }
  target.beforeMeasure?.();
  const rss = sampleRss(target.server.pid);
  const cpuBefore = cpuMs(target.server.pid);
  const result = await autocannon({ ...options, duration: settings.durationS });
  const cpuAfter = cpuMs(target.server.pid);
  const peakRssMb = rss.stop();
  await target.server.settle();
  const byStatus = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]));
  const answers = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  return {
    rps: answers / result.duration,
    answers,
    p50Ms: answers > 0 ? result.latency.p50 : null,
    p99Ms: answers > 0 ? result.latency.p99 : null,
    byStatus,
    socketErrors: result.errors,
    peakRssMb,
    cpuMsPerAnswer: cpuBefore === null || cpuAfter === null || answers === 0 ? null : (cpuAfter - cpuBefore) / answers,
  };
}

/** Errors as the issue counts them: answers outside 2xx/3xx, and requests that got none. */
export function errorsOf(result: LoadResult, expected: (status: number) => boolean = (status) => status >= 200 && status < 400): number {
  const refused = Object.entries(result.byStatus).reduce((sum, [status, count]) => sum + (expected(Number(status)) ? 0 : count), 0);
  return refused + result.socketErrors;
}
