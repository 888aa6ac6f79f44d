import Type, { type Static } from 'typebox';
import { CURRENT_SCHEMA_VERSION, upcast } from '../domain/schemas.js';
import type { RecordedEvent } from '../eventstore/eventStore.js';

/** One event as analytics sees it: the log's order and facts, without personal data or redacted text. */
export const FeedEvent = Type.Object({
  position: Type.Integer({ description: 'global position in the log; resume after it' }),
  stream: Type.String(),
  type: Type.String(),
  schema_version: Type.Integer({ description: 'version of the shape of `data` (old events are upcast to the current one)' }),
  occurred_at: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Object({
    actorId: Type.Union([Type.String(), Type.Null()]),
    correlationId: Type.String(),
    causationId: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type FeedEvent = Static<typeof FeedEvent>;

/**
 * Types that never appear: their stream names and data are the username itself,
 * and UserRegistered already says who joined.
 */
const EXCLUDED_TYPES = new Set(['UsernameReserved']);

/** Fields removed from `data`, per type: personal data and secrets. */
export const REMOVED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  UserRegistered: ['username', 'email', 'passwordHash'],
  ApiKeyCreated: ['secretHash'],
};

export const isInFeed = (type: string) => !EXCLUDED_TYPES.has(type);

const messageIdOf = (data: unknown) => (data as { messageId?: unknown }).messageId;

/**
 * The feed's shape of a recorded event, or null for a type that is not in the feed.
 * `isRedacted` answers whether a message was redacted by now: a MessagePosted
 * that was is kept (counts and order stay true) with `content: null`.
 */
export function toFeedEvent(event: RecordedEvent, isRedacted: (messageId: string) => boolean): FeedEvent | null {
  if (!isInFeed(event.type)) return null;
  const { actorId, correlationId, causationId, occurredAt, schemaVersion } = event.metadata;
  let data = upcast({ type: event.type, stream: event.stream, data: event.data, schemaVersion });
  const removed = REMOVED_FIELDS[event.type];
  if (removed) data = Object.fromEntries(Object.entries(data as object).filter(([key]) => !removed.includes(key)));
  if (event.type === 'MessagePosted') {
    const messageId = messageIdOf(data);
    if (typeof messageId === 'string' && isRedacted(messageId)) data = { ...(data as object), content: null };
  }
  return {
    position: event.position,
    stream: event.stream,
    type: event.type,
    schema_version: CURRENT_SCHEMA_VERSION,
    occurred_at: occurredAt,
    data,
    metadata: { actorId, correlationId, causationId },
  };
}
