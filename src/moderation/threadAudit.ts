import { threadStream } from '../domain/thread.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import type { EventRef, ReadModelStore } from '../readmodels/readModelStore.js';

export interface AuditDeps {
  store: EventStore;
  readModels: ReadModelStore;
}

export interface AuditPage {
  /** The thread's events from `fromSeq`, with the report events of its messages merged in by position. */
  events: RecordedEvent[];
  nextFromSeq: number | null;
}

const REF_PAGE = 500;

/** Reads the events a moderation index points at, from the log itself. */
export async function readRefs(store: EventStore, refs: readonly EventRef[]): Promise<RecordedEvent[]> {
  const events = await Promise.all(refs.map((ref) => store.readStream(ref.stream, { fromRevision: ref.revision, maxCount: 1 })));
  return events.flatMap((found, i) => (found[0]?.revision === refs[i]!.revision ? found : []));
}

async function reportEventsBetween(deps: AuditDeps, threadId: string, afterPosition: number, upToPosition: number | undefined) {
  const refs: EventRef[] = [];
  for (let after = afterPosition; ; ) {
    const page = await deps.readModels.listThreadReportEvents(threadId, { afterPosition: after, upToPosition, limit: REF_PAGE });
    refs.push(...page);
    if (page.length < REF_PAGE) break;
    after = page[page.length - 1]!.position;
  }
  return readRefs(deps.store, refs);
}

const byPosition = (a: RecordedEvent, b: RecordedEvent) => a.position - b.position;

/**
 * One page: thread events `fromSeq`..`fromSeq + limit - 1`, plus the report
 * events (from the `reports-{messageId}` streams) that happened between the
 * previous page's last thread event and this page's last one; the final page
 * takes every later report event too.
 */
async function readPage(deps: AuditDeps, threadId: string, fromSeq: number, afterPosition: number, limit: number) {
  const read = await deps.store.readStream(threadStream(threadId), { fromRevision: fromSeq, maxCount: limit + 1 });
  const threadEvents = read.slice(0, limit);
  const last = threadEvents[threadEvents.length - 1];
  const more = read.length > limit && last !== undefined;
  const reportEvents = await reportEventsBetween(deps, threadId, afterPosition, more ? last.position : undefined);
  return {
    events: [...threadEvents, ...reportEvents].sort(byPosition),
    nextFromSeq: more ? last.revision + 1 : null,
    lastPosition: more ? last.position : null,
  };
}

/** Position of the thread event just before `seq`; null when the thread has no event there (nothing to audit from). */
async function positionBefore(store: EventStore, threadId: string, seq: number): Promise<number | null> {
  if (seq <= 0) return 0;
  const [previous] = await store.readStream(threadStream(threadId), { fromRevision: seq - 1, maxCount: 1 });
  return previous?.revision === seq - 1 ? previous.position : null;
}

export async function threadAuditPage(deps: AuditDeps, threadId: string, options: { fromSeq: number; limit: number }): Promise<AuditPage> {
  const after = await positionBefore(deps.store, threadId, options.fromSeq);
  if (after === null) return { events: [], nextFromSeq: null };
  const { events, nextFromSeq } = await readPage(deps, threadId, options.fromSeq, after, options.limit);
  return { events, nextFromSeq };
}

/** The whole history from `fromSeq`, read from the store one page at a time: memory holds one page, never the thread. */
export async function* threadAuditEvents(deps: AuditDeps, threadId: string, options: { fromSeq: number; pageSize: number }) {
  let after = await positionBefore(deps.store, threadId, options.fromSeq);
  let fromSeq: number | null = options.fromSeq;
  while (after !== null && fromSeq !== null) {
    const page = await readPage(deps, threadId, fromSeq, after, options.pageSize);
    yield* page.events;
    fromSeq = page.nextFromSeq;
    after = page.lastPosition;
  }
}
