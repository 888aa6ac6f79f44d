/**
 * How a read-model checkpoint on another thread slows the log's commits:
 *   npx tsx bench/storage/checkpointInterference.ts [intervalMs=50] [seconds=15]
 * The main thread commits one event every 2 ms with `synchronous = FULL`, as the
 * log does at 500 posts/s; a worker writes ~9 KB to a second WAL file every 2 ms,
 * as the read models do at that rate, and checkpoints it every `intervalMs`
 * (`0`: never). Prints the commits' latency and how many took over 2 and 4 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** The read models' writer and checkpointer, as an eval'd worker: the script stays one file, with no module of the server's to load. */
const READ_MODELS = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const { file, intervalMs } = workerData;
const writer = new Database(file);
writer.pragma('journal_mode = WAL');
writer.pragma('synchronous = NORMAL');
writer.pragma('wal_autocheckpoint = 0');
writer.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, thread TEXT, content TEXT); CREATE INDEX by_thread ON messages (thread)');
const insert = writer.prepare('INSERT INTO messages (thread, content) VALUES (?, ?)');
let n = 0;
const batch = writer.transaction(() => {
  for (let i = 0; i < 3; i++) insert.run('thread-' + (n++ % 100), 'y'.repeat(2500));
});
setInterval(batch, 2);
if (intervalMs > 0) {
  // As sqliteCheckpointThread.ts does: its own connection, PASSIVE, on a timer.
  const checkpointer = new Database(file);
  setInterval(() => checkpointer.pragma('wal_checkpoint(PASSIVE)'), intervalMs);
}
`;

const intervalMs = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'checkpoint-bench-'));
const log = new Database(join(dir, 'log.db'));
log.pragma('journal_mode = WAL');
log.pragma('synchronous = FULL');
log.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT UNIQUE, stream TEXT, revision INTEGER, data TEXT, UNIQUE (stream, revision))');
const insert = log.prepare('INSERT INTO events (id, stream, revision, data) VALUES (?, ?, ?, ?)');
const commit = log.transaction((n: number) => insert.run(`${Date.now()}-${n}`, `thread-${n % 100}`, Math.floor(n / 100), 'x'.repeat(300)));
const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
const worker = new Worker(READ_MODELS, { eval: true, workerData: { sqlite, file: join(dir, 'readmodels.db'), intervalMs } });
const latencies: number[] = [];
const until = performance.now() + seconds * 1000;
await new Promise<void>((resolve) => {
  const tick = () => {
    if (performance.now() > until) return resolve();
    const started = performance.now();
    commit(latencies.length);
    latencies.push(performance.now() - started);
    setTimeout(tick, 2);
  };
  setTimeout(tick, 500);
});
await worker.terminate();
log.close();
rmSync(dir, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(2);
const over = (ms: number) => latencies.filter((latency) => latency > ms).length;
console.log(
  `${intervalMs > 0 ? `checkpoint every ${intervalMs} ms` : 'no checkpoint'}: ${latencies.length} commits, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ` +
    `max ${at(1)} ms, over 2 ms ${over(2)}, over 4 ms ${over(4)}`,
);
