import { readFileSync } from 'node:fs';

/** The resident set of a process in MB, from /proc (Linux), or null once the process is gone. */
export function rssMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 50 ms until stopped; the peak is what a memory limit would meet. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssMb(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid) ?? 0);
    },
  };
}

/** USER_HZ: /proc reports CPU time in these ticks, 100 a second on every Linux build Node runs on. */
const TICKS_PER_S = 100;

/**
 * CPU time a process has used so far (user and system), in ms. Over a run, its growth divided by
 * the answers is the server's own CPU per request: unlike requests per second, it hardly moves
 * when neighbours take CPU, so it prices the work on a busy machine too (the database's is apart).
 */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_S) * 1000;
  } catch {
    return null;
  }
}
