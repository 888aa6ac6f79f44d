import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Resource use of one process as the kernel accounts it, read from /proc (Linux only). */
export interface ProcessUse {
  /** Resident set at the end of the window (bytes). */
  rssBytes: number;
  /** Highest resident set sampled during the window (bytes). */
  peakRssBytes: number;
  /** CPU time over wall time in the window: 100 = one core busy. */
  cpuPercent: number;
}

let ticksPerSecond: number | undefined;
const clockTicks = (): number => {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
};

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

/** Current resident set (VmRSS) in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Samples a process's RSS every `intervalMs` and measures its CPU over the window until `stop()`. */
export function watchProcess(pid: number, intervalMs = 200): { stop(): ProcessUse } {
  const startedAt = performance.now();
  const cpuAtStart = cpuSeconds(pid);
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // The process exited; stop() reports what was seen.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - startedAt) / 1000;
      const rss = rssBytes(pid);
      return { rssBytes: rss, peakRssBytes: Math.max(peak, rss), cpuPercent: ((cpuSeconds(pid) - cpuAtStart) / seconds) * 100 };
    },
  };
}
