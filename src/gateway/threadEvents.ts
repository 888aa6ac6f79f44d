import type { ThreadEvent } from '../domain/thread.js';
import type { RecordedEvent } from '../eventstore/eventStore.js';
import { CLOSE, encodeFrame, type EncodedFrame } from './frames.js';
import type { UserDirectory } from './userDirectory.js';

/** A thread event as the gateway delivers it: its stream revision and its frame, encoded once. */
export interface LogItem {
  kind: 'log';
  revision: number;
  frame: EncodedFrame;
  /** Membership ended for this user: their sockets close with this code after the frame. */
  ends?: { userId: string; code: number; reason: string };
}

/**
 * The frame for one thread event, or null for events clients do not see.
 * `isRedacted` lets a catch-up withhold content redacted since it was posted.
 */
export async function logItemFor(
  event: RecordedEvent,
  users: UserDirectory,
  isRedacted: (messageId: string) => boolean = () => false,
): Promise<LogItem | null> {
  const { type, data } = { type: event.type, data: event.data } as ThreadEvent;
  const seq = event.revision;
  const item = (frame: Parameters<typeof encodeFrame>[0], ends?: LogItem['ends']): LogItem => ({
    kind: 'log',
    revision: seq,
    frame: encodeFrame(frame),
    ...(ends ? { ends } : {}),
  });
  const member = async (userId: string) => {
    const { id, username } = await users.author(userId);
    return { id, username };
  };
  switch (type) {
    case 'MessagePosted': {
      const redacted = isRedacted(data.messageId);
      return item({
        type: 'chat_message',
        payload: {
          id: data.messageId,
          thread: data.threadId,
          author: await users.author(data.authorId),
          content: redacted ? null : data.content,
          created_at: event.metadata.occurredAt,
          seq,
          ...(redacted ? { redacted: true as const } : {}),
        },
      });
    }
    case 'MessageRedacted':
      return item({
        type: 'message_redacted',
        payload: { id: data.messageId, thread: data.threadId, redacted_by: data.by, redacted_at: event.metadata.occurredAt, seq },
      });
    case 'MemberJoined':
      return item({ type: 'member_joined', payload: { thread: data.threadId, user: await member(data.userId), role: data.role, seq } });
    case 'MemberLeft':
      return item(
        { type: 'member_left', payload: { thread: data.threadId, user: await member(data.userId), seq } },
        { userId: data.userId, code: CLOSE.normal, reason: 'you left the thread' },
      );
    case 'MemberRemoved':
      return item(
        { type: 'member_removed', payload: { thread: data.threadId, user: await member(data.userId), by: data.by, seq } },
        { userId: data.userId, code: CLOSE.forbidden, reason: 'removed from the thread' },
      );
    default:
      return null;
  }
}
