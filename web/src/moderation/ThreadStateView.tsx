import type { ThreadStateAt } from '../api/types.js';
import { MessageText } from '../chat/MessageItem.js';

/** The thread as the replay endpoint rebuilt it at one point in its history, as members saw it then. */
export function ThreadStateView({ state, label }: { state: ThreadStateAt; label: string }) {
  return (
    <article className="thread-state" aria-label={`Thread as of ${label}`}>
      <h3>
        “{state.title}” as of {label}
      </h3>
      <p className="thread-state-meta">
        After seq {state.as_of.seq}, {new Date(state.as_of.occurred_at).toLocaleString()} · {state.visibility} ·{' '}
        {state.member_count} member{state.member_count === 1 ? '' : 's'}
      </p>
      <h4>Members</h4>
      <ul className="members">
        {state.members.map((member) => (
          <li key={member.user.id}>
            {member.user.username || member.user.id} <span className="badge">{member.role}</span>
          </li>
        ))}
      </ul>
      <h4>Messages ({state.messages.length}{state.has_more_messages ? ', older ones not shown' : ''})</h4>
      <ol className="messages">
        {state.messages.map((message) => (
          <li key={message.id} className="message" data-seq={message.seq}>
            <div className="message-head">
              <span className="message-author">{message.author.username || message.author.id}</span>
              <span className="timeline-seq">#{message.seq}</span>
            </div>
            <MessageText content={message.content} redacted={message.redacted} />
          </li>
        ))}
      </ol>
    </article>
  );
}
