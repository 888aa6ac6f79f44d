import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { fetchAudit, fetchStateAt } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { AuditEntry, AuditPage as AuditPageBody } from '../api/types.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { describeAuditEntry, namesFromAudit } from './auditText.js';
import { ThreadStateView } from './ThreadStateView.js';

const AUDIT_PAGE = 200;

/** Where the next audit page starts; overlaps are removed by seq, so an inclusive or exclusive from_seq both work. */
function nextFromSeq(page: AuditPageBody): number | undefined {
  if (page.has_more === false) return undefined;
  if (typeof page.next_from_seq === 'number') return page.next_from_seq;
  const last = page.results[page.results.length - 1];
  return last && page.results.length >= AUDIT_PAGE ? last.seq + 1 : undefined;
}

type AsOf = { seq: number } | { at: string };

export function AuditPage() {
  const { threadId = '' } = useParams();
  const audit = useInfiniteQuery({
    queryKey: ['audit', threadId],
    queryFn: ({ pageParam, signal }) => fetchAudit(threadId, pageParam, AUDIT_PAGE, signal),
    initialPageParam: null as number | null,
    getNextPageParam: nextFromSeq,
  });
  const entries: AuditEntry[] = [];
  for (const entry of audit.data?.pages.flatMap((p) => p.results) ?? []) {
    if (entries[entries.length - 1]?.seq !== entry.seq) entries.push(entry);
  }
  const names = namesFromAudit(entries);

  const [index, setIndex] = useState<number | null>(null);
  const [time, setTime] = useState('');
  const [asOf, setAsOf] = useState<AsOf | null>(null);
  const selected = index === null ? entries[entries.length - 1] : entries[Math.min(index, entries.length - 1)];
  const showEntry = (at: number) => {
    const entry = entries[at];
    if (entry) setAsOf({ seq: entry.seq });
  };
  const state = useQuery({
    queryKey: ['thread-state', threadId, asOf],
    queryFn: ({ signal }) => fetchStateAt(threadId, asOf ?? { seq: 0 }, signal),
    enabled: asOf !== null,
  });

  if (audit.isError && audit.error instanceof ApiError && audit.error.status === 403) {
    return <p className="page-status">Only moderators of this thread can see its audit.</p>;
  }

  return (
    <section className="audit" aria-labelledby="audit-heading">
      <Link to={`/threads/${encodeURIComponent(threadId)}`}>
        ← Back to the thread
      </Link>
      <h1 id="audit-heading">Thread audit</h1>
      {audit.isPending && <p role="status">Loading the thread’s history…</p>}
      {audit.isError && <ErrorNotice error={audit.error} onRetry={() => void audit.refetch()} />}
      {entries.length > 0 && selected && (
        <div className="as-of stack">
          <h2>View as of</h2>
          <label htmlFor="as-of-slider">
            Event {entries.indexOf(selected) + 1} of {entries.length}: seq {selected.seq}, {new Date(selected.metadata.occurredAt).toLocaleString()}
          </label>
          <input
            id="as-of-slider"
            type="range"
            min={0}
            max={entries.length - 1}
            value={entries.indexOf(selected)}
            aria-valuetext={`seq ${selected.seq}, ${selected.type}`}
            onChange={(e) => setIndex(Number(e.target.value))}
            // Replays when the thumb is let go, not at every step of a drag.
            onPointerUp={(e) => showEntry(Number(e.currentTarget.value))}
            onKeyUp={(e) => showEntry(Number(e.currentTarget.value))}
          />
          <div className="row">
            <button type="button" onClick={() => setAsOf({ seq: selected.seq })}>
              Show thread at seq {selected.seq}
            </button>
          </div>
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
          {state.data && asOf && <ThreadStateView state={state.data} label={'seq' in asOf ? `seq ${asOf.seq}` : new Date(asOf.at).toLocaleString()} />}
        </div>
      )}
      <h2>Timeline</h2>
      <ol className="timeline">
        {entries.map((entry) => (
          <li key={entry.seq} className={entry === selected && asOf ? 'selected' : undefined}>
            <span className="timeline-seq">#{entry.seq}</span>
            <time dateTime={entry.metadata.occurredAt}>{new Date(entry.metadata.occurredAt).toLocaleString()}</time>
            <span className="timeline-actor">{entry.metadata.actor_username ?? entry.metadata.actorId ?? 'system'}</span>
            <span className="timeline-type badge">{entry.type}</span>
            <span className="timeline-text">{describeAuditEntry(entry, names)}</span>
          </li>
        ))}
      </ol>
      {audit.hasNextPage && (
        <button type="button" className="secondary" disabled={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          {audit.isFetchingNextPage ? 'Loading…' : 'More events'}
        </button>
      )}
    </section>
  );
}
