import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { runInBackground } from '../workerThreads.js';

/**
 * Checkpoints one WAL file on a timer. PASSIVE never blocks writers or
 * readers; a busy file is simply tried again on the next tick.
 */
const { file, intervalMs, unsynced } = workerData as { file: string; intervalMs: number; unsynced: boolean };
runInBackground();
const db = new Database(file);
db.pragma('busy_timeout = 1000');
// A checkpoint's own fsyncs (the WAL before it, the file after it) follow the connection's setting.
if (unsynced) db.pragma('synchronous = OFF');

const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick (or the owner's close) does it.
  }
};
const timer = setInterval(checkpoint, intervalMs);

parentPort!.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
