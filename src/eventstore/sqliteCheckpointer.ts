import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a WAL database from a worker thread, so the main thread never
 * stalls copying the WAL into the file (and fsyncing it) inside a commit: with
 * SQLite's automatic checkpoints, every few hundred commits one post paid tens
 * of milliseconds, which is what a chat's p99 is made of. Connections on the
 * main thread turn automatic checkpoints off once this is running.
 *
 * PASSIVE checkpoints never block writers or readers; a busy database is simply
 * tried again on the next tick. Several processes on one file each run one:
 * SQLite serializes them.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: next tick */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* closing anyway */ }
  db.close();
  parentPort.close();
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 200): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } });
  // Nothing may keep a process alive only to checkpoint.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    async stop() {
      // Keeps the process alive until the worker has closed its connection.
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
