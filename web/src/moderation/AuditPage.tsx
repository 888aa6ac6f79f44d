import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { fetchAudit, fetchStateAt } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { AuditEntry } from '../api/types.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { auditLookups, describeAuditEntry } from './auditText.js';
import { ThreadStateView } from './ThreadStateView.js';

const AUDIT_PAGE = 200;

type AsOf = { seq: number } | { at: string };

/**
 * The thread's seq at the moment of entry `index`: its own for a thread event;
 * for a report event merged in, that of the last thread event before it.
 */
function threadSeqAt(entries: readonly AuditEntry[], index: number, threadStream: string): number | null {
  for (let i = index; i >= 0; i--) if (entries[i]!.stream === threadStream) return entries[i]!.seq;
  return null;
}

export function AuditPage() {
  const { threadId = '' } = useParams();
  const threadStream = `thread-${threadId}`;
  const audit = useInfiniteQuery({
    queryKey: ['audit', threadId],
    queryFn: ({ pageParam, signal }) => fetchAudit(threadId, pageParam, AUDIT_PAGE, signal),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next_from_seq ?? undefined,
  });
  // Thread events and report events have seqs in different streams: the event id is what is unique.
  const entries: AuditEntry[] = [];
  const seen = new Set<string>();
  for (const entry of audit.data?.pages.flatMap((p) => p.results) ?? []) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    entries.push(entry);
  }
  const lookups = auditLookups(entries);
  const notice = audit.data?.pages[0]?.notice;

  const [index, setIndex] = useState<number | null>(null);
  const [time, setTime] = useState('');
  const [asOf, setAsOf] = useState<AsOf | null>(null);
  const selectedIndex = index === null ? entries.length - 1 : Math.min(index, entries.length - 1);
  const selected = entries[selectedIndex];
  const selectedSeq = selected ? threadSeqAt(entries, selectedIndex, threadStream) : null;
  const showSelected = (at: number) => {
    const seq = threadSeqAt(entries, at, threadStream);
    if (seq !== null) setAsOf({ seq });
  };
  const state = useQuery({
    queryKey: ['thread-state', threadId, asOf],
    queryFn: ({ signal }) => fetchStateAt(threadId, asOf ?? { seq: 0 }, signal),
    enabled: asOf !== null,
  });

  if (audit.isError && audit.error instanceof ApiError && audit.error.status === 403) {
    return <p className="page-status">Only moderators of this thread can see its audit.</p>;
  }
  const created = entries.find((e) => e.type === 'ThreadCreated');

  return (
    <section className="audit" aria-labelledby="audit-heading">
      <Link to={`/threads/${encodeURIComponent(threadId)}`}>← Back to the thread</Link>
      <h1 id="audit-heading">Audit{created ? `: “${String(created.data.title)}”` : ''}</h1>
      {notice && <p className="notice">{notice}</p>}
      {audit.isPending && <p role="status">Loading the thread’s history…</p>}
      {audit.isError && <ErrorNotice error={audit.error} onRetry={() => void audit.refetch()} />}
      {selected && (
        <div className="as-of stack">
          <h2>View as of</h2>
          <label htmlFor="as-of-slider">
            Event {selectedIndex + 1} of {entries.length}: {selected.type} by {actorName(selected)},{' '}
            {new Date(selected.metadata.occurredAt).toLocaleString()}
          </label>
          <input
            id="as-of-slider"
            type="range"
            min={0}
            max={entries.length - 1}
            value={selectedIndex}
            aria-valuetext={`${selected.type}, thread seq ${selectedSeq ?? 'none'}`}
            onChange={(e) => setIndex(Number(e.target.value))}
            // Replays when the thumb is let go, not at every step of a drag.
            onPointerUp={(e) => showSelected(Number(e.currentTarget.value))}
            onKeyUp={(e) => showSelected(Number(e.currentTarget.value))}
          />
          {selectedSeq !== null && (
            <div className="row">
              <button type="button" onClick={() => setAsOf({ seq: selectedSeq })}>
                Show thread at seq {selectedSeq}
              </button>
            </div>
          )}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (time) setAsOf({ at: new Date(time).toISOString() });
            }}
          >
            <label htmlFor="as-of-time">Or at a time</label>
            <input id="as-of-time" type="datetime-local" step={1} value={time} onChange={(e) => setTime(e.target.value)} />
            <button type="submit" className="secondary" disabled={!time}>
              Show
            </button>
          </form>
          {state.isFetching && <p role="status">Replaying…</p>}
          {state.isError && <ErrorNotice error={state.error} />}
          {state.data && asOf && (
            <ThreadStateView state={state.data} label={'seq' in asOf ? `seq ${asOf.seq}` : new Date(asOf.at).toLocaleString()} />
          )}
        </div>
      )}
      <h2>Timeline</h2>
      <ol className="timeline">
        {entries.map((entry, at) => {
          const ofThread = entry.stream === threadStream;
          return (
            <li key={entry.id} className={at === selectedIndex && asOf ? 'selected' : undefined}>
              <span className="timeline-seq" title={ofThread ? 'seq in the thread' : entry.stream}>
                {ofThread ? `#${entry.seq}` : 'report'}
              </span>
              <time dateTime={entry.metadata.occurredAt}>{new Date(entry.metadata.occurredAt).toLocaleString()}</time>
              <span className="timeline-actor">{actorName(entry)}</span>
              <span className="timeline-type badge">{entry.type}</span>
              <span className="timeline-text">{describeAuditEntry(entry, lookups)}</span>
            </li>
          );
        })}
      </ol>
      {audit.hasNextPage && (
        <button type="button" className="secondary" disabled={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          {audit.isFetchingNextPage ? 'Loading…' : 'More events'}
        </button>
      )}
    </section>
  );
}

const actorName = (entry: AuditEntry) => entry.metadata.actor_username ?? entry.metadata.actorId ?? 'system';
