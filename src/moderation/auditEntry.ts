import type { RecordedEvent } from '../eventstore/eventStore.js';
import type { ReadModelStore } from '../readmodels/readModelStore.js';

/** One event as recorded, for moderators: the data is the log's, including the original text of redacted messages. */
export interface AuditEntry {
  /** The event's id: what `causationId`s refer to. */
  id: string;
  stream: string;
  /** Revision of the event in its stream (for the thread stream: the message `seq` clients see). */
  seq: number;
  position: number;
  type: string;
  data: unknown;
  metadata: {
    actorId: string | null;
    actor_username: string | null;
    correlationId: string;
    causationId: string | null;
    occurredAt: string;
    schemaVersion: number;
  };
  /** On a MessagePosted whose message has since been redacted: members no longer see `data.content`. */
  content_redacted?: boolean;
}

export const REDACTED_CONTENT_NOTICE =
  'Moderators only: entries are the events as recorded, so MessagePosted data keeps the original text of messages redacted since (marked content_redacted).';

/** Usernames of actors, looked up once per response (operators and unknown actors have none). */
export class ActorNames {
  private readonly names = new Map<string, Promise<string | null>>();

  constructor(private readonly readModels: ReadModelStore) {}

  of(actorId: string | null): Promise<string | null> {
    if (actorId === null) return Promise.resolve(null);
    let name = this.names.get(actorId);
    if (!name) {
      name = this.readModels.getUser(actorId).then((user) => user?.username ?? null);
      this.names.set(actorId, name);
    }
    return name;
  }
}

export async function toAuditEntry(
  event: RecordedEvent,
  actors: ActorNames,
  isRedacted: (messageId: string) => boolean | Promise<boolean>,
): Promise<AuditEntry> {
  const { actorId, correlationId, causationId, occurredAt, schemaVersion } = event.metadata;
  const entry: AuditEntry = {
    id: event.id,
    stream: event.stream,
    seq: event.revision,
    position: event.position,
    type: event.type,
    data: event.data,
    metadata: { actorId, actor_username: await actors.of(actorId), correlationId, causationId, occurredAt, schemaVersion },
  };
  if (event.type === 'MessagePosted' && (await isRedacted((event.data as { messageId: string }).messageId))) entry.content_redacted = true;
  return entry;
}
