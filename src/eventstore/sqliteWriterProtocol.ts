import type { AppendResult, ExpectedRevision } from './eventStore.js';

/** What the writer (`sqliteWriter.ts`) hands the committer (`sqliteCommitter.ts`) per batch, and what it answers. */

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
