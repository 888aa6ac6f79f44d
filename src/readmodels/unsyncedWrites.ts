import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A served read-model file is written with no fsync at all (`synchronous = OFF`
 * for its writer and its checkpoints). Each fsync of it made the log's own fsync,
 * which every post waits for, wait behind it: with a checkpoint every 50 ms, a
 * burst of slow posts every 50 ms (docs/benchmarks-history.md, session 10).
 *
 * The file is derived from the log, so losing it costs a rebuild, never an event.
 * But if the machine (not just the process: the page cache survives that) stops
 * while writes are only in the page cache, SQLite may leave the file corrupt. So
 * each store writing it leaves a marker, `<file>.unsynced-<pid>-<n>`, holding the
 * machine's boot id, and removes it once its close has synced the file. A marker
 * from an earlier boot means the machine stopped while that process was writing:
 * the file is discarded before it is opened, and the projections, finding no
 * checkpoint, rebuild it from the log.
 */

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
const SIDE_FILES = ['', '-wal', '-shm'];

/** This boot of the machine (Linux), or null where there is no such thing: then the file is written with fsyncs. */
export function currentBootId(): string | null {
  try {
    return readFileSync(BOOT_ID_FILE, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export interface UnsyncedClaim {
  /** Whether the file was discarded because a process wrote it without syncing in an earlier boot. */
  discarded: boolean;
  /** Once every write of this process is done: syncs the file and removes this process's marker (and those of dead ones). */
  release(): void;
}

interface Marker {
  path: string;
  pid: number;
  bootId: string;
}

function markersOf(file: string): Marker[] {
  const prefix = `${basename(file)}.unsynced-`;
  return readdirSync(dirname(file))
    .filter((name) => name.startsWith(prefix))
    .map((name) => {
      const path = join(dirname(file), name);
      let bootId = '';
      try {
        bootId = readFileSync(path, 'utf8').trim();
      } catch {
        // Removed meanwhile by the process that owned it.
      }
      return { path, pid: Number(name.slice(prefix.length).split('-')[0]), bootId };
    });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Written and synced, with its directory entry, before the first unsynced write it stands for. */
function writeMarker(path: string, bootId: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${bootId}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncPath(dirname(path));
}

/**
 * Every process sharing the data directory checks and claims the file under one
 * lock: otherwise two processes starting together after a reboot could both
 * discard it, one of them after the other had opened the new one. A SQLite
 * lock, because the OS drops it when its holder dies.
 */
function withLock<T>(file: string, run: () => T): T {
  const lock = new Database(`${file}.lock`);
  try {
    lock.pragma('busy_timeout = 30000');
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return run();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}

/** Stores this process opened: two on one file (as in tests) each keep their own marker until their own close. */
let claims = 0;

/** Call before opening `file` for writing without fsyncs. */
export function claimUnsynced(file: string, bootId: string): UnsyncedClaim {
  const own = `${file}.unsynced-${process.pid}-${++claims}`;
  const discarded = withLock(file, () => {
    const stale = markersOf(file).filter((marker) => marker.bootId !== bootId);
    if (stale.length > 0) {
      for (const suffix of SIDE_FILES) rmSync(`${file}${suffix}`, { force: true });
      for (const marker of stale) rmSync(marker.path, { force: true });
      fsyncPath(dirname(file));
    }
    writeMarker(own, bootId);
    return stale.length > 0;
  });
  return {
    discarded,
    release() {
      withLock(file, () => {
        // fsync is per file, not per writer: this also syncs what dead processes of this boot left in the page cache.
        for (const suffix of SIDE_FILES.slice(0, 2)) if (existsSync(`${file}${suffix}`)) fsyncPath(`${file}${suffix}`);
        for (const marker of markersOf(file)) {
          if (marker.path === own || (marker.bootId === bootId && !isAlive(marker.pid))) rmSync(marker.path, { force: true });
        }
      });
    },
  };
}
