import type { ThreadStateAt } from '../api/types.js';
import { MessageText } from '../chat/MessageItem.js';

/** The thread as the replay endpoint rebuilt it at one point in its history. */
export function ThreadStateView({ state, label }: { state: ThreadStateAt; label: string }) {
  return (
    <article className="thread-state" aria-label={`Thread as of ${label}`}>
      <h3>
        “{state.title}” as of {label}
      </h3>
      <h4>Members</h4>
      <ul className="members">
        {state.members.map((member) => {
          const name = member.user?.username ?? member.username ?? member.user?.id ?? member.user_id ?? '?';
          return (
            <li key={member.user?.id ?? member.user_id ?? name}>
              {name} <span className="badge">{member.role}</span>
            </li>
          );
        })}
      </ul>
      <h4>Messages ({state.messages.length})</h4>
      <ol className="messages">
        {state.messages.map((message) => (
          <li key={message.id} className="message" data-seq={message.seq}>
            <div className="message-head">
              <span className="message-author">{message.author?.username ?? message.author_id ?? '?'}</span>
              <span className="timeline-seq">#{message.seq}</span>
            </div>
            <MessageText content={message.content} redacted={message.redacted} />
            {message.redacted && message.original_content && <p className="original">Original: {message.original_content}</p>}
          </li>
        ))}
      </ol>
    </article>
  );
}
