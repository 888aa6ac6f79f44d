import { useQuery } from '@tanstack/react-query';
import { NavLink, useMatch } from 'react-router';
import { listThreads } from '../api/endpoints.js';
import type { ThreadSummary } from '../api/types.js';
import { useMe } from '../auth/AuthContext.js';
import { ErrorNotice, errorText } from '../ui/ErrorNotice.js';
import { CreateThreadForm } from './CreateThreadForm.js';
import { isUnread, useReadMarks } from './readMarks.js';
import { useThreadActions } from './useThreadActions.js';

function JoinButton({ thread }: { thread: ThreadSummary }) {
  const { join } = useThreadActions(thread.id);
  return (
    <>
      <button type="button" className="small" onClick={() => join.mutate()} disabled={join.isPending} aria-label={`Join ${thread.title}`}>
        {join.isPending ? 'Joining…' : 'Join'}
      </button>
      {join.isError && (
        <span className="form-error" role="alert">
          {errorText(join.error)}
        </span>
      )}
    </>
  );
}

export function ThreadSidebar() {
  const me = useMe();
  const marks = useReadMarks(me.id);
  const openThread = useMatch('/threads/:threadId')?.params.threadId;
  // The list is not pushed over a socket: poll it so unread marks and new threads appear.
  const threads = useQuery({ queryKey: ['threads'], queryFn: ({ signal }) => listThreads(signal), refetchInterval: 10_000 });

  return (
    <div className="thread-sidebar">
      <h2>Threads</h2>
      {threads.isPending && <p role="status">Loading threads…</p>}
      {threads.isError && <ErrorNotice error={threads.error} onRetry={() => void threads.refetch()} />}
      {threads.data && threads.data.length === 0 && <p>No threads yet.</p>}
      <ul className="thread-list">
        {threads.data?.map((thread) => {
          const member = thread.is_member;
          const unread = member && thread.id !== openThread && isUnread(thread.last_activity_at, marks[thread.id]);
          return (
            <li key={thread.id} className={unread ? 'unread' : undefined}>
              <NavLink to={`/threads/${encodeURIComponent(thread.id)}`} className="thread-link">
                <span className="thread-title">{thread.title}</span>
                {unread && (
                  <span className="unread-dot" aria-label="unread" role="img">
                    ●
                  </span>
                )}
              </NavLink>
              <span className="thread-meta">
                <span className="badge">{thread.visibility}</span> {thread.member_count} member{thread.member_count === 1 ? '' : 's'}
              </span>
              {!member && thread.visibility === 'public' && <JoinButton thread={thread} />}
            </li>
          );
        })}
      </ul>
      <CreateThreadForm />
    </div>
  );
}
