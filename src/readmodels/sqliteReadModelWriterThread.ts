import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { finishBulkLoad } from './sqliteReadModelSchema.js';
import { openReadModelWriter, prepareWrites, writerError, type BatchRequest, type WriterReply, type WriterRequest } from './sqliteReadModelWrites.js';

/**
 * The read models' writer thread: every write to the file, in the order the
 * main thread sent them. The SQLite work of a batch (most of a projection's
 * cost) runs here while the main thread goes on reading and projecting the next
 * events, or serving requests.
 */

const { file, bulkLoad, unsynced } = workerData as { file: string; bulkLoad: boolean; unsynced: boolean };
const db = openReadModelWriter(file, { bulkLoad, unsynced });
const writes = prepareWrites(db, { deferRedactions: bulkLoad });
const port = parentPort!;

/** Batches already waiting when one arrives go with it, up to this many (see `applyBatches`). */
const MAX_GROUP = 8;

function handle(request: Exclude<WriterRequest, { type: 'batch' }>): void {
  if (request.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let error: WriterReply['error'] = null;
  try {
    if (request.type === 'truncate') writes.truncate(request.projection);
    else finishBulkLoad(db);
  } catch (cause) {
    error = writerError(cause);
  }
  port.postMessage({ id: request.id, error } satisfies WriterReply);
}

port.on('message', (request: WriterRequest) => {
  if (request.type !== 'batch') return handle(request);
  const group: BatchRequest[] = [request];
  let other: Exclude<WriterRequest, { type: 'batch' }> | undefined;
  while (group.length < MAX_GROUP && other === undefined) {
    const next = receiveMessageOnPort(port)?.message as WriterRequest | undefined;
    if (next === undefined) break;
    if (next.type === 'batch') group.push(next);
    else other = next;
  }
  writes.applyBatches(group).forEach((error, i) => port.postMessage({ id: group[i]!.id, error } satisfies WriterReply));
  if (other) handle(other);
});
