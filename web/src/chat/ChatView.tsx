import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useReducer, useState } from 'react';
import { Link } from 'react-router';
import { fetchMessages, postMessage } from '../api/endpoints.js';
import type { ThreadDetail, ThreadRole, UserRef } from '../api/types.js';
import { SESSION_EXPIRED, useAuth, useMe } from '../auth/AuthContext.js';
import { markRead } from '../threads/readMarks.js';
import { ErrorNotice, errorText } from '../ui/ErrorNotice.js';
import { newClientMessageId } from './clientMessageId.js';
import { Composer } from './Composer.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { MembersPanel } from './MembersPanel.js';
import { MessageList } from './MessageList.js';
import { emptyLog, messageLogReducer, oldestSeq, type PendingMessage } from './messageLog.js';
import type { FinalClose, ServerFrame } from './protocol.js';
import { typingLabel } from './typing.js';
import { useChatSocket } from './useChatSocket.js';
import { useTypingRoster } from './useTypingRoster.js';

const PAGE_SIZE = 50;
/** Marked once per page load when a thread first shows its history and is live (read by scripts/web-tti.ts). */
export const INTERACTIVE_MARK = 'threadline:chat-interactive';

const ENDED: Record<Exclude<FinalClose, 'unauthorized'>, string> = {
  forbidden: 'You are no longer a member of this thread.',
  not_found: 'This thread no longer exists.',
  normal: 'The live connection was closed.',
};

interface ChatViewProps {
  thread: ThreadDetail;
  myRole: ThreadRole;
}

export function ChatView({ thread, myRole }: ChatViewProps) {
  const me = useMe();
  const { token, logout } = useAuth();
  const queryClient = useQueryClient();
  const [log, dispatch] = useReducer(messageLogReducer, emptyLog);
  // undefined until the newest page is in: the socket then resumes right after it.
  const [initialSeq, setInitialSeq] = useState<number | null | undefined>(undefined);
  const [historyError, setHistoryError] = useState<unknown>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [online, setOnline] = useState<UserRef[]>([]);
  const [showMembers, setShowMembers] = useState(false);
  const roster = useTypingRoster();
  const threadId = thread.id;

  const loadNewest = useCallback(
    async (signal?: AbortSignal) => {
      setHistoryError(null);
      try {
        const page = await fetchMessages(threadId, null, PAGE_SIZE, signal);
        dispatch({ type: 'page_loaded', page });
        setInitialSeq(page.results[page.results.length - 1]?.seq ?? null);
      } catch (error) {
        if (!signal?.aborted) setHistoryError(error);
      }
    },
    [threadId],
  );

  useEffect(() => {
    const abort = new AbortController();
    void loadNewest(abort.signal);
    return () => abort.abort();
  }, [loadNewest]);

  const oldest = oldestSeq(log);
  const loadOlder = useCallback(async () => {
    if (loadingOlder || oldest === null) return;
    setLoadingOlder(true);
    try {
      dispatch({ type: 'page_loaded', page: await fetchMessages(threadId, oldest, PAGE_SIZE) });
    } catch (error) {
      setHistoryError(error);
    } finally {
      setLoadingOlder(false);
    }
  }, [loadingOlder, oldest, threadId]);

  const refreshMembers = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ['thread', threadId] });
    void queryClient.invalidateQueries({ queryKey: ['threads'] });
  }, [queryClient, threadId]);

  const onFrame = useCallback(
    (frame: ServerFrame) => {
      switch (frame.type) {
        case 'chat_message': {
          const message = frame.payload;
          dispatch({ type: 'received', message });
          if (message.author.id !== me.id) {
            roster.set(message.author.id, false);
            setAnnouncement(`${message.author.username}: ${message.content ?? 'message removed'}`);
          }
          break;
        }
        case 'message_redacted':
          dispatch({ type: 'redacted', messageId: frame.payload.id });
          break;
        case 'chat_typing':
          if (frame.payload.user_id !== me.id) roster.set(frame.payload.user_id, frame.payload.is_typing);
          break;
        case 'member_joined':
        case 'member_left':
        case 'member_removed':
          refreshMembers();
          break;
        case 'presence':
          setOnline(frame.payload.users);
          break;
        case 'presence_joined':
          setOnline((users) => (users.some((u) => u.id === frame.payload.user.id) ? users : [...users, frame.payload.user]));
          break;
        case 'presence_left':
          setOnline((users) => users.filter((u) => u.id !== frame.payload.user.id));
          break;
        default:
          break;
      }
    },
    [me.id, roster, refreshMembers],
  );

  const socket = useChatSocket(threadId, token, initialSeq, onFrame);
  const ended = socket.state?.status === 'closed' ? socket.state.closed : null;

  useEffect(() => {
    if (ended === 'unauthorized') logout(SESSION_EXPIRED);
    if (ended === 'forbidden' || ended === 'not_found') refreshMembers();
    if (ended !== null) {
      roster.clear();
      setOnline([]);
    }
  }, [ended, logout, refreshMembers, roster]);

  const interactive = log.loaded && socket.state?.status === 'connected';
  useEffect(() => {
    if (interactive && performance.getEntriesByName(INTERACTIVE_MARK).length === 0) performance.mark(INTERACTIVE_MARK);
  }, [interactive]);

  // Reading the thread marks it read up to its newest message.
  const newest = log.messages[log.messages.length - 1];
  useEffect(() => {
    markRead(me.id, threadId, newest?.created_at);
    markRead(me.id, threadId, thread.last_activity_at);
  }, [me.id, threadId, newest?.created_at, thread.last_activity_at]);

  const send = useCallback(
    async (content: string, clientMessageId: string = newClientMessageId()) => {
      dispatch({ type: 'send_started', clientMessageId, content });
      try {
        // A retry reuses the same client_message_id: the server answers with the first copy instead of posting twice.
        const message = await postMessage({ thread: threadId, content, client_message_id: clientMessageId });
        dispatch({ type: 'send_confirmed', clientMessageId, message });
      } catch (error) {
        dispatch({ type: 'send_failed', clientMessageId, error: errorText(error) });
      }
    },
    [threadId],
  );
  const retrySend = useCallback((pending: PendingMessage) => void send(pending.content, pending.clientMessageId), [send]);
  const discardSend = useCallback(
    (pending: PendingMessage) => dispatch({ type: 'send_discarded', clientMessageId: pending.clientMessageId }),
    [],
  );
  const redacted = useCallback((messageId: string) => dispatch({ type: 'redacted', messageId }), []);

  const names = new Map(thread.members.map((m) => [m.user.id, m.user.username]));
  for (const user of online) names.set(user.id, user.username);
  const typingText = typingLabel(roster.typing.map((id) => names.get(id) ?? 'someone'));
  const canModerate = myRole !== 'member' || me.role === 'moderator' || me.role === 'admin';

  return (
    <section className="chat" aria-labelledby="thread-title">
      <header className="chat-header">
        <Link to="/" className="back-link">
          ← Threads
        </Link>
        <h1 id="thread-title">{thread.title}</h1>
        <span className="badge">{thread.visibility}</span>
        <button type="button" className="small secondary" aria-expanded={showMembers} onClick={() => setShowMembers(!showMembers)}>
          {thread.members.length} member{thread.members.length === 1 ? '' : 's'}
          {online.length > 0 && `, ${online.length} online`}
        </button>
        {canModerate && (
          <Link to={`/moderation/threads/${encodeURIComponent(threadId)}`} className="small-link">
            Audit
          </Link>
        )}
        <ConnectionStatus state={socket.state} onRetry={socket.retry} />
      </header>
      {showMembers && <MembersPanel thread={thread} online={online} canInvite={myRole !== 'member'} />}
      {ended && ended !== 'unauthorized' && (
        <p className="notice" role="alert">
          {ENDED[ended]}
        </p>
      )}
      {historyError !== null && <ErrorNotice error={historyError} onRetry={() => void loadNewest()} />}
      {!log.loaded && historyError === null && (
        <p className="page-status" role="status">
          Loading messages…
        </p>
      )}
      {log.loaded && (
        <MessageList
          messages={log.messages}
          pending={log.pending}
          me={me}
          canModerate={canModerate}
          hasMore={log.hasMore}
          loadingOlder={loadingOlder}
          onLoadOlder={() => void loadOlder()}
          onRedacted={redacted}
          onRetry={retrySend}
          onDiscard={discardSend}
        />
      )}
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="new-message-announcer">
        {announcement}
      </div>
      <p className="typing" aria-live="polite">
        {typingText ?? ''}
      </p>
      <Composer onSend={(content) => void send(content)} onTyping={(isTyping) => socket.send({ type: 'typing', is_typing: isTyping })} />
    </section>
  );
}
