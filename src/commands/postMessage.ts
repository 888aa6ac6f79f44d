import { newId } from '../ids.js';
import { clientMessageKey, threadDecider, threadStream, type ActiveThread } from '../domain/thread.js';
import { handleCommand, type CommandContext, type CommandDeps } from './handleCommand.js';

export interface PostedMessage {
  messageId: string;
  threadId: string;
  authorId: string;
  content: string;
  createdAt: string;
  /** Revision of the MessagePosted event in the thread stream. */
  seq: number;
  position: number;
  /** false when a retried post found its original. */
  created: boolean;
}

export async function postMessage(
  deps: CommandDeps,
  input: { threadId: string; content: string; clientMessageId: string | null },
  context: CommandContext & { actorId: string },
): Promise<PostedMessage> {
  const { threadId, content, clientMessageId } = input;
  const authorId = context.actorId;
  // Made here, not derived from client_message_id: a retry is recognised by the thread's state (the decider appends
  // nothing for a client id it has seen, and two racing retries meet at the append's expected revision), so the id
  // can be time-ordered like every other id, and the log's id index grows at its end (see ids.ts).
  const messageId = newId();
  const stream = threadStream(threadId);
  const result = await handleCommand(
    deps,
    stream,
    threadDecider,
    { type: 'PostMessage', data: { threadId, messageId, authorId, content, clientMessageId } },
    context,
    (event) => (event.type === 'MessagePosted' ? event.data.messageId : newId()),
  );
  const posted = result.events[0];
  if (posted?.type === 'MessagePosted' && result.position !== null) {
    const { messageId: id, content: trimmed } = posted.data;
    const createdAt = context.now.toISOString();
    return { messageId: id, threadId, authorId, content: trimmed, createdAt, seq: result.revision, position: result.position, created: true };
  }
  // Nothing appended: a retry. Answer with the original, as recorded.
  const thread = result.state as ActiveThread;
  const originalId = clientMessageId ? thread.clientMessages.get(clientMessageKey(authorId, clientMessageId)) : undefined;
  const seq = originalId === undefined ? undefined : thread.messages.get(originalId)?.seq;
  const [event] = seq === undefined ? [] : await deps.store.readStream(stream, { fromRevision: seq, maxCount: 1 });
  if (!event || event.type !== 'MessagePosted') throw new Error(`original of ${clientMessageId} missing from ${stream}`);
  const data = event.data as { messageId: string; content: string };
  return {
    messageId: data.messageId,
    threadId,
    authorId,
    content: data.content,
    createdAt: event.metadata.occurredAt,
    seq: event.revision,
    position: event.position,
    created: false,
  };
}
