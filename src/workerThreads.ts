import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `module`: the compiled `.js` when the app runs from
 * dist, or the TypeScript source through tsx when it runs from the sources
 * (tests, `npm run dev`), where the main thread is compiled on the fly too.
 */
export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData });
  // tsx's require hook, not its ESM loader: on Node 20 a loader runs on a hooks thread of its own, and starting
  // a worker that way cost ~0.35 s of CPU (0.33-0.36 s to a read-model writer's first batch), against ~0.15 s
  // (0.13-0.14 s) this way, on every start: `npm run cli`, tests. So a worker module and what it imports must
  // load as CommonJS once compiled (no top-level await, no ESM-only package).
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(module))});`, { eval: true, workerData });
}

/** `name` next to the calling module, with the caller's own extension (`.ts` from the sources, `.js` from dist). */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

/**
 * Lowers the calling thread's scheduling priority (Linux: a nice value per
 * thread). For threads whose work can wait however long (checkpoints): on a
 * machine with few cores they would otherwise take a core from the event loop
 * or the event-store writer, whose delays a member sees as message latency.
 * Not for the read-model writer: starved under load, its lag grows and queries
 * waiting for their own writes time out (and a catching-up runner measured ~15%
 * slower with it). Elsewhere, or where it is refused, a no-op.
 */
export function runInBackground(nice = 10): void {
  if (process.platform !== 'linux') return;
  try {
    // /proc/thread-self names this thread's id, which setpriority takes in place of a process id.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // Not permitted or not available: run at the normal priority.
  }
}
