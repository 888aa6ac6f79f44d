import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { listReports, redactMessage, reviewReport } from '../api/endpoints.js';
import type { Report, ReportStatus } from '../api/types.js';
import { useMe } from '../auth/AuthContext.js';
import { MessageText } from '../chat/MessageItem.js';
import { ErrorNotice, errorText } from '../ui/ErrorNotice.js';

const STATUSES: ReportStatus[] = ['pending', 'reviewed', 'dismissed'];

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '');

function ReportCard({ report }: { report: Report }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [alsoRedact, setAlsoRedact] = useState(false);
  const [redactReason, setRedactReason] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['reports'] });
  const review = useMutation({
    mutationFn: (status: 'reviewed' | 'dismissed') => reviewReport(report.id, { status, note: note.trim() || undefined, redact: alsoRedact }),
    onSuccess: refresh,
  });
  const redact = useMutation({ mutationFn: () => redactMessage(report.message.id, redactReason.trim() || report.reason), onSuccess: refresh });
  const removed = report.message.redacted === true || report.message.content === null;
  const idPrefix = `report-${report.id}`;

  return (
    <li className="report-card" aria-labelledby={`${idPrefix}-title`}>
      <h3 id={`${idPrefix}-title`}>
        Message by {report.message.author.username || 'an unknown user'}
        <span className="badge">{report.status}</span>
      </h3>
      <blockquote>
        <MessageText content={report.message.content} redacted={removed} />
      </blockquote>
      <dl className="report-facts">
        <dt>Reason</dt>
        <dd>{report.reason}</dd>
        <dt>Reported by</dt>
        <dd>
          {report.reporter.username} on {when(report.created_at)}
        </dd>
        <dt>Reports on this message</dt>
        <dd>{report.report_count_for_message}</dd>
        <dt>Thread</dt>
        <dd>
          <Link to={`/threads/${encodeURIComponent(report.message.thread)}`}>open</Link> ·{' '}
          <Link to={`/moderation/threads/${encodeURIComponent(report.message.thread)}`}>audit</Link>
        </dd>
        {report.status !== 'pending' && (
          <>
            <dt>Reviewed</dt>
            <dd>
              {report.status === 'dismissed' ? 'Dismissed' : 'Reviewed'} by {report.reviewed_by === me.id ? 'you' : 'a moderator'} on{' '}
              {when(report.reviewed_at)}
              {report.note ? `: ${report.note}` : ''}
            </dd>
          </>
        )}
      </dl>
      {report.status === 'pending' && (
        <div className="stack">
          <label htmlFor={`${idPrefix}-note`}>Note (optional)</label>
          <textarea id={`${idPrefix}-note`} rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
          {!removed && (
            <label className="checkbox">
              <input type="checkbox" checked={alsoRedact} onChange={(e) => setAlsoRedact(e.target.checked)} /> Also remove the message
            </label>
          )}
          <div className="row">
            <button type="button" disabled={review.isPending} onClick={() => review.mutate('reviewed')}>
              Mark reviewed
            </button>
            <button type="button" className="secondary" disabled={review.isPending} onClick={() => review.mutate('dismissed')}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      {!removed && report.status !== 'pending' && (
        <div className="stack">
          <label htmlFor={`${idPrefix}-redact`}>Reason for removing the message</label>
          <div className="row">
            <input id={`${idPrefix}-redact`} maxLength={1000} value={redactReason} onChange={(e) => setRedactReason(e.target.value)} />
            <button type="button" disabled={redact.isPending} onClick={() => redact.mutate()}>
              Remove message
            </button>
          </div>
        </div>
      )}
      {(review.isError || redact.isError) && (
        <p className="form-error" role="alert">
          {errorText(review.error ?? redact.error)}
        </p>
      )}
    </li>
  );
}

export function ReportQueuePage() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('status');
  const status: ReportStatus = STATUSES.includes(requested as ReportStatus) ? (requested as ReportStatus) : 'pending';
  const reports = useInfiniteQuery({
    queryKey: ['reports', status],
    queryFn: ({ pageParam, signal }) => listReports(status, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const all = reports.data?.pages.flatMap((page) => page.results) ?? [];

  return (
    <section className="moderation" aria-labelledby="reports-heading">
      <h1 id="reports-heading">Reports</h1>
      <div className="row">
        <label htmlFor="report-status">Status</label>
        <select id="report-status" value={status} onChange={(e) => setParams({ status: e.target.value })}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {reports.isPending && <p role="status">Loading reports…</p>}
      {reports.isError && <ErrorNotice error={reports.error} onRetry={() => void reports.refetch()} />}
      {reports.isSuccess && all.length === 0 && <p>No {status} reports.</p>}
      <ul className="reports">
        {all.map((report) => (
          <ReportCard key={report.id} report={report} />
        ))}
      </ul>
      {reports.hasNextPage && (
        <button type="button" className="secondary" disabled={reports.isFetchingNextPage} onClick={() => void reports.fetchNextPage()}>
          {reports.isFetchingNextPage ? 'Loading…' : 'More reports'}
        </button>
      )}
    </section>
  );
}
