import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `module`: the compiled `.js` when the app runs from
 * dist, or the TypeScript source through tsx when it runs from the sources
 * (tests, `npm run dev`), where the main thread is compiled on the fly too.
 */
export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData });
  // tsx's ESM API, by path: its package exports it only under the "import" condition.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const href = JSON.stringify(module.href);
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${href}, ${href}))`, { eval: true, workerData });
}

/** `name` next to the calling module, with the caller's own extension (`.ts` from the sources, `.js` from dist). */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}
