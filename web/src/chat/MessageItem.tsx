import { useMutation } from '@tanstack/react-query';
import { memo, useState, type FormEvent } from 'react';
import { redactMessage, reportMessage } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { ChatMessage } from '../api/types.js';
import { errorText } from '../ui/ErrorNotice.js';
import type { PendingMessage } from './messageLog.js';

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Message text is always a text node: never parsed as HTML, links not made clickable. */
export function MessageText({ content, redacted }: { content: string | null; redacted?: boolean }) {
  if (redacted || content === null) return <p className="message-text message-removed">message removed</p>;
  return <p className="message-text">{content}</p>;
}

type Panel = 'none' | 'report' | 'redact';

function ReasonForm(props: { id: string; label: string; submitLabel: string; busy: boolean; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim()) props.onSubmit(reason.trim());
  }
  return (
    <form className="reason-form stack" onSubmit={submit}>
      <label htmlFor={props.id}>{props.label}</label>
      <textarea id={props.id} required maxLength={1000} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
      <div className="row">
        <button type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface MessageItemProps {
  message: ChatMessage;
  mine: boolean;
  canModerate: boolean;
  onRedacted: (messageId: string) => void;
}

export const MessageItem = memo(function MessageItem({ message, mine, canModerate, onRedacted }: MessageItemProps) {
  const [panel, setPanel] = useState<Panel>('none');
  const [outcome, setOutcome] = useState<string | null>(null);
  const report = useMutation({
    mutationFn: (reason: string) => reportMessage(message.id, reason),
    onSuccess: () => {
      setPanel('none');
      setOutcome('Reported. A moderator will review it.');
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        setPanel('none');
        setOutcome('You already reported this message.');
      }
    },
  });
  const redact = useMutation({
    mutationFn: (reason: string) => redactMessage(message.id, reason),
    onSuccess: () => {
      setPanel('none');
      onRedacted(message.id);
    },
  });
  const removed = message.redacted === true || message.content === null;
  const error = report.isError && !(report.error instanceof ApiError && report.error.status === 409) ? report.error : redact.error;

  return (
    <li className={`message${mine ? ' message--mine' : ''}`} data-seq={message.seq} data-message-id={message.id}>
      <div className="message-head">
        <span className="message-author">{message.author.username}</span>
        <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
      </div>
      <MessageText content={message.content} redacted={removed} />
      {!removed && (
        <div className="message-actions">
          {!mine && (
            <button
              type="button"
              className="link-button"
              aria-expanded={panel === 'report'}
              aria-label={`Report message from ${message.author.username}`}
              onClick={() => setPanel(panel === 'report' ? 'none' : 'report')}
            >
              Report
            </button>
          )}
          {(canModerate || mine) && (
            <button
              type="button"
              className="link-button"
              aria-expanded={panel === 'redact'}
              aria-label={`Remove message from ${message.author.username}`}
              onClick={() => setPanel(panel === 'redact' ? 'none' : 'redact')}
            >
              Remove
            </button>
          )}
        </div>
      )}
      {panel === 'report' && (
        <ReasonForm
          id={`report-${message.id}`}
          label="Why are you reporting this message?"
          submitLabel="Send report"
          busy={report.isPending}
          onSubmit={(reason) => report.mutate(reason)}
          onCancel={() => setPanel('none')}
        />
      )}
      {panel === 'redact' && (
        <ReasonForm
          id={`redact-${message.id}`}
          label="Reason for removing this message"
          submitLabel="Remove message"
          busy={redact.isPending}
          onSubmit={(reason) => redact.mutate(reason)}
          onCancel={() => setPanel('none')}
        />
      )}
      {outcome && (
        <p className="message-outcome" role="status">
          {outcome}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
    </li>
  );
});

interface PendingItemProps {
  pending: PendingMessage;
  author: string;
  onRetry: (pending: PendingMessage) => void;
  onDiscard: (pending: PendingMessage) => void;
}

export function PendingItem({ pending, author, onRetry, onDiscard }: PendingItemProps) {
  const failed = pending.status === 'failed';
  return (
    <li className={`message message--mine message--${pending.status}`} data-client-message-id={pending.clientMessageId}>
      <div className="message-head">
        <span className="message-author">{author}</span>
        <span className="message-state">{failed ? 'Not sent' : 'Sending…'}</span>
      </div>
      <p className="message-text">{pending.content}</p>
      {failed && (
        <div className="message-actions" role="alert">
          <span className="form-error">{pending.error}</span>
          <button type="button" className="small" onClick={() => onRetry(pending)}>
            Retry
          </button>
          <button type="button" className="small secondary" onClick={() => onDiscard(pending)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}
