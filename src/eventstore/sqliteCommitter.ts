import { revisionMatches, type AppendResult, type ExpectedRevision } from './eventStore.js';
import { openWriter } from './sqliteSchema.js';

/* What the writer (`sqliteWriter.ts`) hands the committer per batch, and what it answers. */

export interface WireEvent {
  id: string;
  type: string;
  /** JSON, serialized when the append is queued. */
  data: string;
  metadata: string;
}

export interface WireAppend {
  stream: string;
  expected: ExpectedRevision;
  events: WireEvent[];
}

export type WireSignalOp = { kind: 'signal'; channel: string; payload: string; at: number } | { kind: 'prune'; before: number; keep: number };

export interface WriterRequest {
  appends: WireAppend[];
  signals: WireSignalOp[];
}

export type WireOutcome =
  | { ok: true; result: AppendResult }
  /** `conflict` set: a WrongExpectedVersion; otherwise `message` says what failed. */
  | { ok: false; conflict: { expected: ExpectedRevision; actual: number } | null; message: string };

export interface WriterReply {
  /** One per append, in order; null when the whole transaction failed (`appendsFailure`). */
  outcomes: WireOutcome[] | null;
  appendsFailure: string | null;
  /** The `recorded_at` of every event the batch appended (null when it appended none). */
  recordedAt: string | null;
  signalsFailure: string | null;
}

class ConflictError extends Error {
  constructor(readonly actual: number) {
    super('wrong expected version');
  }
}

export interface Committer {
  /** Commits one batch and says how each of its appends and its signals went; never throws for a failed commit. */
  handle(request: WriterRequest): WriterReply;
  close(): void;
}

/**
 * Every write to the store file, one batch per call. The appends of a batch
 * share one `BEGIN IMMEDIATE … COMMIT`, hence one fsync (group commit); each
 * multi-event append runs in its own savepoint, so a conflicting append rolls
 * back alone.
 */
export function openCommitter(file: string): Committer {
  const { events, signals } = openWriter(file);

  const statements = {
    streamHead: events.prepare<[string], { revision: number; position: number }>(
      'SELECT revision, position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    ),
    locate: events.prepare<[string], { stream: string; revision: number; position: number }>(
      'SELECT stream, revision, position FROM events WHERE id = ?',
    ),
    insert: events.prepare<[string, string, number, string, string, string, string]>(
      'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertSignal: signals.prepare<[string, string, number]>('INSERT INTO ephemeral (channel, payload, created_at) VALUES (?, ?, ?)'),
    pruneSignals: signals.prepare<[number, number]>(
      'DELETE FROM ephemeral WHERE created_at < ? OR id <= (SELECT MAX(id) FROM ephemeral) - ?',
    ),
  };

  function write({ stream, events: toAppend, expected }: WireAppend, recordedAt: string): AppendResult {
    const head = statements.streamHead.get(stream);
    const actual = head?.revision ?? -1;
    const first = toAppend[0];
    if (first && statements.locate.get(first.id)) return alreadyAppended(stream, toAppend);
    if (!revisionMatches(expected, actual)) throw new ConflictError(actual);
    let result: AppendResult = { nextRevision: actual, position: head?.position ?? 0 };
    for (const event of toAppend) {
      const revision = result.nextRevision + 1;
      const { lastInsertRowid } = statements.insert.run(event.id, stream, revision, event.type, event.data, event.metadata, recordedAt);
      result = { nextRevision: revision, position: Number(lastInsertRowid) };
    }
    return result;
  }

  /** A retried append (same event ids): a no-op that answers what the first one did. */
  function alreadyAppended(stream: string, toAppend: WireAppend['events']): AppendResult {
    let result: AppendResult = { nextRevision: -1, position: 0 };
    for (const event of toAppend) {
      const found = statements.locate.get(event.id);
      if (!found) throw new Error(`stream ${stream}: append mixes recorded events with a new one (${event.id})`);
      if (found.stream !== stream) throw new Error(`event ${event.id} is already in stream ${found.stream}`);
      result = { nextRevision: found.revision, position: found.position, alreadyRecorded: true };
    }
    return result;
  }

  const appendInSavepoint = events.transaction((append: WireAppend, recordedAt: string) => write(append, recordedAt));
  // A one-event append checks everything before its single insert, so it cannot half-succeed: no savepoint.
  const appendOne = (append: WireAppend, recordedAt: string) =>
    append.events.length === 1 ? write(append, recordedAt) : appendInSavepoint(append, recordedAt);

  const commitAppends = events.transaction((appends: WireAppend[], recordedAt: string) => {
    return appends.map((append): WireOutcome => {
      try {
        return { ok: true, result: appendOne(append, recordedAt) };
      } catch (error) {
        // SQLite itself rolled the whole transaction back (disk full, I/O): the batch fails.
        if (!events.inTransaction) throw error;
        if (error instanceof ConflictError) return { ok: false, conflict: { expected: append.expected, actual: error.actual }, message: error.message };
        return { ok: false, conflict: null, message: error instanceof Error ? error.message : String(error) };
      }
    });
  }).immediate;

  const commitSignals = signals.transaction((ops: WireSignalOp[]) => {
    for (const op of ops) {
      if (op.kind === 'signal') statements.insertSignal.run(op.channel, op.payload, op.at);
      else statements.pruneSignals.run(op.before, op.keep);
    }
  }).immediate;

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

  function handle(request: WriterRequest): WriterReply {
    const reply: WriterReply = { outcomes: null, appendsFailure: null, signalsFailure: null, recordedAt: null };
    if (request.appends.length > 0) {
      try {
        const recordedAt = new Date().toISOString();
        reply.outcomes = commitAppends(request.appends, recordedAt);
        reply.recordedAt = recordedAt;
      } catch (error) {
        reply.appendsFailure = messageOf(error);
      }
    } else {
      reply.outcomes = [];
    }
    if (request.signals.length > 0) {
      try {
        commitSignals(request.signals);
      } catch (error) {
        reply.signalsFailure = messageOf(error);
      }
    }
    return reply;
  }

  return {
    handle,
    close() {
      events.close();
      signals.close();
    },
  };
}
