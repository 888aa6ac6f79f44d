import type Database from 'better-sqlite3';
import { revisionMatches, WrongExpectedVersion, type AppendResult, type EventToAppend, type ExpectedRevision } from './eventStore.js';
import type { SqliteQueries } from './sqliteQueries.js';

interface PendingAppend {
  stream: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/**
 * Group commit: the appends queued during one turn of the event loop share one
 * `BEGIN IMMEDIATE … COMMIT`, hence one fsync. Each append runs in its own
 * savepoint (better-sqlite3 nests transaction functions that way), so a
 * conflicting append rolls back alone. Promises settle only after COMMIT.
 */
export class SqliteAppender {
  private queue: PendingAppend[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly commitBatch: (batch: PendingAppend[]) => Outcome[];

  constructor(
    db: Database.Database,
    private readonly queries: SqliteQueries,
    private readonly afterCommit: () => void,
  ) {
    const appendInSavepoint = db.transaction((pending: PendingAppend) => this.write(pending));
    // A one-event append checks everything before its single insert, so it cannot
    // half-succeed: it skips the savepoint (two statements less per post).
    const appendOne = (pending: PendingAppend) => (pending.events.length === 1 ? this.write(pending) : appendInSavepoint(pending));
    this.commitBatch = db.transaction((batch: PendingAppend[]) =>
      batch.map((pending): Outcome => {
        try {
          return { ok: true, result: appendOne(pending) };
        } catch (error) {
          // SQLite itself rolled the whole transaction back (disk full, I/O): the batch fails.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    ).immediate;
  }

  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, expected, resolve, reject });
      // setImmediate rather than a microtask: it also gathers the appends of every I/O callback of this turn.
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commit everything queued now (also called on close). */
  flush(): void {
    clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) pending.resolve(outcome.result);
      else pending.reject(outcome?.error);
    });
    this.afterCommit();
  }

  private write({ stream, events, expected }: PendingAppend): AppendResult {
    const head = this.queries.streamHead.get(stream);
    const actual = head?.revision ?? -1;
    const first = events[0];
    if (first && this.queries.locate.get(first.id)) return this.alreadyAppended(stream, events);
    if (!revisionMatches(expected, actual)) throw new WrongExpectedVersion(stream, expected, actual);

    let result: AppendResult = { nextRevision: actual, position: head?.position ?? 0 };
    const recordedAt = new Date().toISOString();
    for (const event of events) {
      const revision = result.nextRevision + 1;
      const { lastInsertRowid } = this.queries.insert.run(
        event.id,
        stream,
        revision,
        event.type,
        JSON.stringify(event.data) ?? 'null',
        JSON.stringify(event.metadata),
        recordedAt,
      );
      result = { nextRevision: revision, position: Number(lastInsertRowid) };
    }
    return result;
  }

  /** A retried append (same event ids): a no-op that answers what the first one did. */
  private alreadyAppended(stream: string, events: readonly EventToAppend[]): AppendResult {
    let result: AppendResult = { nextRevision: -1, position: 0 };
    for (const event of events) {
      const found = this.queries.locate.get(event.id);
      if (!found) throw new Error(`stream ${stream}: append mixes recorded events with a new one (${event.id})`);
      if (found.stream !== stream) throw new Error(`event ${event.id} is already in stream ${found.stream}`);
      result = { nextRevision: found.revision, position: found.position };
    }
    return result;
  }
}
