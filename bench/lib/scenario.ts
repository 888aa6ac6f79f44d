import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessUse } from './procStats.js';
import type { ServerMode } from './processes.js';
import type { LatencySummary } from './stats.js';
import { mib, type Row } from './table.js';

/** What every scenario is given. */
export interface RunContext {
  mode: ServerMode;
  /** When set, our server runs with --cpu-prof and writes its profiles here. */
  cpuProfileDir?: string;
  log(line: string): void;
}

/** A target from issue 9, checked against this run's numbers. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** null when this run could not measure it (e.g. the sizes were changed). */
  met: boolean | null;
}

export interface ScenarioResult {
  title: string;
  rows: Row[];
  notes: string[];
  checks: TargetCheck[];
}

export const latencyCells = (latency: LatencySummary): Row => ({
  samples: latency.count,
  'p50 ms': latency.p50,
  'p95 ms': latency.p95,
  'p99 ms': latency.p99,
  'max ms': latency.max,
});

export const useCells = (use: ProcessUse | null): Row => ({
  'server RSS MiB': use ? mib(use.rssBytes) : null,
  'server CPU %': use ? use.cpuPercent : null,
});

/** ours / baseline for `columns`; the `keep` columns are copied from ours (to say which run it is). */
export function ratioRow(label: string, ours: Row, baseline: Row, columns: string[], keep: string[] = []): Row {
  const row: Row = {};
  for (const column of Object.keys(ours)) {
    const a = ours[column];
    const b = baseline[column];
    if (keep.includes(column)) row[column] = a;
    else row[column] = columns.includes(column) && typeof a === 'number' && typeof b === 'number' && b !== 0 ? `${(a / b).toFixed(2)}x` : null;
  }
  row.target = label;
  return row;
}

/** A temp directory for the duration of `use`, removed afterwards. */
export async function withTempDir<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits `items` into chunks of at most `size`. */
export const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The most sockets one load process holds (the open-file limit here is about 20,000). */
export const MAX_SOCKETS_PER_PROCESS = 9000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
