import { newId } from '../ids.js';
import type { Decider } from '../domain/decider.js';
import { SCHEMA_VERSION } from '../domain/events.js';
import { assertValidEvent } from '../domain/schemas.js';
import { WrongExpectedVersion, type EventStore, type EventToAppend } from '../eventstore/eventStore.js';
import type { AggregateLoader } from './aggregates.js';

/** Who asked, and the clock reading the command carries in. */
export interface CommandContext {
  actorId: string | null;
  correlationId: string;
  causationId?: string | null;
  now: Date;
}

export interface CommandDeps {
  store: EventStore;
  aggregates: AggregateLoader;
}

export interface CommandResult<S, E> {
  state: S;
  events: E[];
  /** Revision of the stream after the command (-1: no stream). */
  revision: number;
  /** Global position of the last appended event; null when nothing was appended. */
  position: number | null;
}

const MAX_ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One cycle: read and fold the stream, decide, append with the revision that
 * was read; on a concurrent append, the whole cycle again (bounded, with backoff).
 * `build` makes the command from the current state (for commands that need facts
 * from it); `eventId` lets a command choose a stable id for idempotent retries.
 */
export async function handleCommand<S, C, E extends { type: string; data: unknown }>(
  deps: CommandDeps,
  stream: string,
  decider: Decider<S, C, E>,
  build: C | ((state: S) => C | Promise<C>),
  context: CommandContext,
  eventId: (event: E) => string = () => newId(),
): Promise<CommandResult<S, E>> {
  return deps.aggregates.exclusive(stream, async () => {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await deps.aggregates.load(stream, decider);
      const command = typeof build === 'function' ? await (build as (s: S) => C | Promise<C>)(state) : build;
      const events = decider.decide(command, state);
      if (events.length === 0) return { state, events, revision, position: null };
      for (const event of events) assertValidEvent(event.type, event.data);
      const toAppend: EventToAppend[] = events.map((event) => ({
        id: eventId(event),
        type: event.type,
        data: event.data,
        metadata: {
          actorId: context.actorId,
          correlationId: context.correlationId,
          causationId: context.causationId ?? null,
          occurredAt: context.now.toISOString(),
          schemaVersion: SCHEMA_VERSION,
        },
      }));
      try {
        const result = await deps.store.append(stream, toAppend, revision < 0 ? 'no_stream' : revision);
        const next = events.reduce(decider.evolve, state);
        deps.aggregates.remember(stream, { state: next, revision: result.nextRevision });
        return { state: next, events, revision: result.nextRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(attempt * 5 + Math.random() * 10);
      }
    }
  });
}
