import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { ChatMessage, Me } from '../api/types.js';
import type { PendingMessage } from './messageLog.js';
import { MessageItem, PendingItem } from './MessageItem.js';

/** Closer than this to the bottom counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/** Closer than this to the top loads the previous page. */
const TOP_LOAD_PX = 120;

interface MessageListProps {
  messages: ChatMessage[];
  pending: PendingMessage[];
  me: Me;
  canModerate: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRedacted: (messageId: string) => void;
  onRetry: (pending: PendingMessage) => void;
  onDiscard: (pending: PendingMessage) => void;
}

/**
 * The scrolling history. It sticks to the bottom while the reader is there;
 * a reader who scrolled up keeps their place and gets a "new messages" pill;
 * a page loaded above keeps the visible messages where they were.
 */
export function MessageList(props: MessageListProps) {
  const { messages, pending, me, hasMore, loadingOlder, onLoadOlder } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const seen = useRef({ firstSeq: null as number | null, lastSeq: null as number | null, pending: 0, scrollHeight: 0 });
  const [unseen, setUnseen] = useState(0);

  const scrollToBottom = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const before = seen.current;
    const firstSeq = messages[0]?.seq ?? null;
    const lastSeq = messages[messages.length - 1]?.seq ?? null;
    const prepended = before.firstSeq !== null && firstSeq !== null && firstSeq < before.firstSeq;
    const appended = messages.filter((m) => before.lastSeq === null || m.seq > before.lastSeq);
    const sentMore = pending.length > before.pending;

    if (before.lastSeq === null && lastSeq !== null) {
      scrollToBottom(); // first page
    } else if (prepended && !atBottom.current) {
      element.scrollTop += element.scrollHeight - before.scrollHeight;
    } else if (sentMore || atBottom.current) {
      scrollToBottom(); // our own message, or a reader following along
    } else {
      const fromOthers = appended.filter((m) => m.author.id !== me.id).length;
      if (fromOthers > 0) setUnseen((count) => count + fromOthers);
    }
    seen.current = { firstSeq, lastSeq, pending: pending.length, scrollHeight: element.scrollHeight };
  }, [messages, pending, me.id, scrollToBottom]);

  function scrolled() {
    const element = scroller.current;
    if (!element) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK_PX;
    seen.current.scrollHeight = element.scrollHeight;
    if (atBottom.current) setUnseen(0);
    if (element.scrollTop <= TOP_LOAD_PX && hasMore && !loadingOlder) onLoadOlder();
  }

  return (
    <div className="message-pane">
      <div className="message-scroller" ref={scroller} onScroll={scrolled} tabIndex={0} aria-label="Messages">
        {hasMore && (
          <button type="button" className="load-older secondary small" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        )}
        {!hasMore && messages.length > 0 && <p className="history-start">Start of the conversation</p>}
        {messages.length === 0 && pending.length === 0 && <p className="history-start">No messages yet. Say hello!</p>}
        <ol className="messages">
          {messages.map((message) => (
            <MessageItem
              key={message.seq}
              message={message}
              mine={message.author.id === me.id}
              canModerate={props.canModerate}
              onRedacted={props.onRedacted}
            />
          ))}
          {pending.map((item) => (
            <PendingItem key={item.clientMessageId} pending={item} author={me.username} onRetry={props.onRetry} onDiscard={props.onDiscard} />
          ))}
        </ol>
      </div>
      {unseen > 0 && (
        <button type="button" className="new-messages-pill" onClick={scrollToBottom}>
          {unseen} new message{unseen === 1 ? '' : 's'} ↓
        </button>
      )}
    </div>
  );
}
