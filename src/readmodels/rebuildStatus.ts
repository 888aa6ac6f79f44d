import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Progress of a rebuild, written by the CLI into DATA_DIR so servers on the same data dir can report it in /metrics. */
export interface RebuildStatus {
  readModels: string;
  state: 'running' | 'done' | 'failed';
  position: number;
  head: number;
  eventsPerSecond: number;
  startedAt: string;
  updatedAt: string;
}

const FILE = 'rebuild-status.json';

export function writeRebuildStatus(dataDir: string, status: RebuildStatus): void {
  const temporary = join(dataDir, `${FILE}.${process.pid}.tmp`);
  writeFileSync(temporary, JSON.stringify(status));
  renameSync(temporary, join(dataDir, FILE));
}

export function readRebuildStatus(dataDir: string): RebuildStatus | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as RebuildStatus;
  } catch {
    return null;
  }
}
