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
 * The first cycle decides on the state this process already knows, without a
 * read (`AggregateLoader.current`): the append's expected revision refuses it if
 * another process appended meanwhile, and a refusal, a no-op or an append the
 * store found recorded already, on that state, is decided again on a fresh read,
 * so none of them ever rests on a stale fold.
 * `build` makes the command from the current state (for commands that need facts
 * from it); `eventId` lets a command choose its events' ids (a post's event carries its message id).
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
    let fresh = false;
    let attempt = 0;
    for (;;) {
      const { state, revision, cached } = fresh ? await deps.aggregates.load(stream, decider) : await deps.aggregates.current(stream, decider);
      fresh = true;
      // A cycle on a cached fold is not an attempt: whatever it ends in, a fresh read decides again.
      if (!cached) attempt++;
      let events: E[];
      try {
        const command = typeof build === 'function' ? await (build as (s: S) => C | Promise<C>)(state) : build;
        events = decider.decide(command, state);
      } catch (error) {
        if (cached) continue;
        throw error;
      }
      if (events.length === 0) {
        if (cached) continue;
        return { state, events, revision, position: null };
      }
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
        // The store found these event ids recorded already (a retry that raced its original): the stream is not
        // `state` plus these events. Decide again on a fresh read, which sees the original and decides nothing.
        if (result.alreadyRecorded) {
          if (attempt >= MAX_ATTEMPTS) throw new Error(`${stream}: the append kept finding its events recorded already`);
          continue;
        }
        const next = events.reduce(decider.evolve, state);
        deps.aggregates.remember(stream, { state: next, revision: result.nextRevision });
        return { state: next, events, revision: result.nextRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (cached) continue;
        if (attempt >= MAX_ATTEMPTS) throw error;
        await sleep(attempt * 5 + Math.random() * 10);
      }
    }
  });
}
