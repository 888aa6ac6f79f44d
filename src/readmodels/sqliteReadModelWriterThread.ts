import { parentPort, workerData } from 'node:worker_threads';
import { finishBulkLoad } from './sqliteReadModelSchema.js';
import { openReadModelWriter, prepareWrites, type WriterReply, type WriterRequest } from './sqliteReadModelWrites.js';

/**
 * The read models' writer thread: every write to the file, one transaction per
 * batch, in the order the main thread sent them. The SQLite work of a batch
 * (most of a projection's cost) runs here while the main thread goes on reading
 * and projecting the next events, or serving requests.
 */

const { file, bulkLoad, unsynced } = workerData as { file: string; bulkLoad: boolean; unsynced: boolean };
const db = openReadModelWriter(file, { bulkLoad, unsynced });
const writes = prepareWrites(db, { deferRedactions: bulkLoad });
const port = parentPort!;

/** Batches that failed and that a later batch, sent before the failure was known, may follow. */
const failed = new Set<number>();

port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let error: WriterReply['error'] = null;
  try {
    if (request.type === 'truncate') writes.truncate(request.projection);
    else if (request.type === 'finishBulkLoad') finishBulkLoad(db);
    else if (request.after !== null && failed.delete(request.after)) {
      // Applying it would leave the failed batch's events out of the read model.
      throw new Error(`an earlier batch of projection ${request.projection} failed: nothing after it is applied until the projection resumes from its checkpoint`);
    } else writes.applyBatch(request.projection, request.lastPosition, request.batch);
  } catch (cause) {
    if (request.type === 'batch') failed.add(request.id);
    const code = (cause as { code?: unknown }).code;
    error = { message: cause instanceof Error ? cause.message : String(cause), code: typeof code === 'string' ? code : null };
  }
  port.postMessage({ id: request.id, error } satisfies WriterReply);
});
