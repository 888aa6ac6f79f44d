import { readdirSync, readFileSync, renameSync, rmSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which SQLite file holds the embedded read models. A rebuild writes a new
 * `readmodels-<time>.db` and then replaces the one-line pointer file by an
 * atomic rename; running servers watch the pointer and switch over.
 */
export const POINTER_FILE = 'readmodels.current';
const DEFAULT_FILE = 'readmodels.db';
const GENERATION = /^readmodels-\d{8}T\d{9}Z\.db$/;

const pointerPath = (dataDir: string) => join(dataDir, POINTER_FILE);

/** The file name (inside `dataDir`) the pointer names, or the original `readmodels.db`. */
export function currentReadModelsName(dataDir: string): string {
  try {
    const name = readFileSync(pointerPath(dataDir), 'utf8').trim();
    // Only a bare file name: the pointer must never lead outside the data dir.
    if (name === DEFAULT_FILE || GENERATION.test(name)) return name;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return DEFAULT_FILE;
}

export const currentReadModelsFile = (dataDir: string) => join(dataDir, currentReadModelsName(dataDir));

/** e.g. `readmodels-20260126T071655123Z.db`: sorts by time. */
export const newReadModelsName = (now = new Date()) => `readmodels-${now.toISOString().replace(/[-:.]/g, '')}.db`;

/** Points every process at `name`, atomically (rename replaces the pointer in one step). */
export function switchReadModels(dataDir: string, name: string): void {
  const temporary = `${pointerPath(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${name}\n`);
  renameSync(temporary, pointerPath(dataDir));
}

/**
 * Deletes read-model files other than `keep` (the current and the one it replaced):
 * a server that has not switched yet still reads the previous one.
 */
export function removeOldReadModels(dataDir: string, keep: string[]): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dataDir)) {
    // With its WAL, shared memory, lock and unsynced-writes markers (unsyncedWrites.ts).
    const base = entry.replace(/(-wal|-shm|\.lock|\.unsynced-[\d-]+)$/, '');
    if (!(base === DEFAULT_FILE || GENERATION.test(base)) || keep.includes(base)) continue;
    rmSync(join(dataDir, entry), { force: true });
    if (base === entry) removed.push(entry);
  }
  return removed;
}

/**
 * Calls `onChange(name)` when the pointer names another file than `current`.
 * Polls (stat), which also sees other processes' renames.
 */
export function watchReadModelsPointer(dataDir: string, current: string, onChange: (name: string) => void, intervalMs = 500): () => void {
  const listener = () => {
    const name = currentReadModelsName(dataDir);
    if (name === current) return;
    current = name;
    onChange(name);
  };
  watchFile(pointerPath(dataDir), { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(pointerPath(dataDir), listener);
}
