import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { fetchThread } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { useMe } from '../auth/AuthContext.js';
import { ErrorNotice, errorText } from '../ui/ErrorNotice.js';
import { useThreadActions } from '../threads/useThreadActions.js';
import { ChatView } from './ChatView.js';

export function ThreadPage() {
  const { threadId = '' } = useParams();
  const me = useMe();
  const thread = useQuery({ queryKey: ['thread', threadId], queryFn: ({ signal }) => fetchThread(threadId, signal) });
  const { join } = useThreadActions(threadId);

  if (thread.isPending) return <p className="page-status" role="status">Loading thread…</p>;
  if (thread.error instanceof ApiError && thread.error.status === 404) {
    return <p className="page-status">This thread does not exist, or it is private and you are not a member.</p>;
  }
  // Any other error only when there is nothing to show: a background refetch that fails (the server restarting,
  // say) keeps the thread as last loaded, so the chat, its live connection status and its Retry button stay.
  if (thread.data === undefined) return <ErrorNotice error={thread.error} onRetry={() => void thread.refetch()} />;

  const detail = thread.data;
  const membership = detail.members.find((m) => m.user.id === me.id);
  if (!membership) {
    return (
      <section className="join-prompt">
        <Link to="/" className="back-link">
          ← Threads
        </Link>
        <h1>{detail.title}</h1>
        <p>
          {detail.member_count} member{detail.member_count === 1 ? '' : 's'}. Join this thread to read and post.
        </p>
        {detail.visibility === 'public' ? (
          <button type="button" onClick={() => join.mutate()} disabled={join.isPending}>
            {join.isPending ? 'Joining…' : 'Join thread'}
          </button>
        ) : (
          <p>This thread is private: ask its owner for an invitation.</p>
        )}
        {join.isError && (
          <p className="form-error" role="alert">
            {errorText(join.error)}
          </p>
        )}
        {(me.role === 'moderator' || me.role === 'admin') && (
          <p>
            <Link to={`/moderation/threads/${encodeURIComponent(detail.id)}`}>Audit this thread</Link>
          </p>
        )}
      </section>
    );
  }
  // Keyed by thread: another thread starts from an empty log and a new socket.
  return <ChatView key={detail.id} thread={detail} myRole={membership.role} />;
}
