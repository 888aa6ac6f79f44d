import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Runs `body` in a worker that has imported src/workerThreads.ts (through tsx), and answers what it posts back. */
function inWorker<T>(body: string): Promise<T> {
  const module = JSON.stringify(new URL('../src/workerThreads.ts', import.meta.url).href);
  const source = `
    const { parentPort } = await import('node:worker_threads');
    const { tsImport } = await import('tsx/esm/api');
    const { runInBackground, scheduleAsBatch } = await tsImport(${module}, import.meta.url);
    const { readFileSync } = await import('node:fs');
    const statField = (path, field) => Number(readFileSync(path, 'utf8').split(') ')[1].split(' ')[field - 3]);
    const niceOf = (path) => statField(path, 19);
    const policyOf = (path) => statField(path, 41);
    ${body}
  `;
  const worker = new Worker(source, { eval: true, type: 'module' } as never);
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (value: T) => {
      resolve(value);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('runInBackground', () => {
  it('lowers the priority of the calling thread only, not of the process', async () => {
    const niceBefore = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
    const { thread, process: main } = await inWorker<{ thread: number; process: number }>(`
      runInBackground(7);
      parentPort.postMessage({ thread: niceOf('/proc/thread-self/stat'), process: niceOf('/proc/self/stat') });
    `);
    // Raising a nice value is always allowed; a process already niced above 7 stays where it is.
    expect(thread).toBe(Math.max(7, niceBefore));
    expect(main).toBe(niceBefore);
  });
});

/** util-linux's `chrt`, which `scheduleAsBatch` runs. */
const hasChrt = process.platform === 'linux' && spawnSync('chrt', ['--version']).status === 0;
if (process.platform === 'linux' && !hasChrt) console.log('scheduleAsBatch: skipped: no chrt (util-linux)');
const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

describe.runIf(hasChrt)('scheduleAsBatch', () => {
  it('puts the calling thread under SCHED_BATCH, at the same nice value; the process keeps its policy', async () => {
    const policy = (path: string) => Number(readFileSync(path, 'utf8').split(') ')[1]!.split(' ')[38]);
    expect(policy('/proc/self/stat')).toBe(SCHED_OTHER);
    const after = await inWorker<{ set: boolean; thread: number; nice: number; process: number; niceBefore: number }>(`
      const niceBefore = niceOf('/proc/thread-self/stat');
      const set = await scheduleAsBatch();
      parentPort.postMessage({ set, thread: policyOf('/proc/thread-self/stat'), nice: niceOf('/proc/thread-self/stat'), process: policyOf('/proc/self/stat'), niceBefore });
    `);
    expect(after.set).toBe(true);
    expect(after.thread).toBe(SCHED_BATCH);
    expect(after.nice).toBe(after.niceBefore);
    expect(after.process).toBe(SCHED_OTHER);
  });
});
