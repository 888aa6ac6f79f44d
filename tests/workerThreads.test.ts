import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Runs `body` in a worker that has imported src/workerThreads.ts (through tsx), and answers what it posts back. */
function inWorker<T>(body: string): Promise<T> {
  const module = JSON.stringify(new URL('../src/workerThreads.ts', import.meta.url).href);
  const source = `
    const { parentPort } = await import('node:worker_threads');
    const { tsImport } = await import('tsx/esm/api');
    const { runInBackground } = await tsImport(${module}, import.meta.url);
    const { readFileSync } = await import('node:fs');
    const niceOf = (path) => Number(readFileSync(path, 'utf8').split(') ')[1].split(' ')[16]);
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
