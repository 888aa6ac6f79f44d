import { siblingModule, startWorker } from '../workerThreads.js';

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints a WAL database from a worker thread, so that copying the WAL
 * into the file (and its fsync) never happens inside a commit on the main
 * thread: with SQLite's automatic checkpoints, every few hundred projection
 * batches one held the event loop for 10-20 ms. Connections on the main
 * thread open with automatic checkpoints off once this runs.
 *
 * Often, so that each checkpoint is small: a checkpoint slows the log's fsynced
 * commits that overlap it (even one with no fsync of its own), and a big one far
 * more than in proportion. At 500 posts/s, every 250 ms (~280 pages each) made
 * ~1% of the log's commits take over 2 ms; every 50 ms, half as many in the
 * server and a sixth as many in `bench/storage/checkpointInterference.ts`
 * (docs/benchmarks-history.md, session 8). With `unsynced` the checkpoints do no fsync either
 * (see unsyncedWrites.ts).
 */
export function startCheckpointer(file: string, { intervalMs = 50, unsynced = false }: { intervalMs?: number; unsynced?: boolean } = {}): Checkpointer {
  const worker = startWorker(siblingModule(import.meta.url, 'sqliteCheckpointThread'), { file, intervalMs, unsynced });
  // Nothing may keep a process alive only to checkpoint.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    async stop() {
      // Alive until the worker has checkpointed and closed its connection.
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
