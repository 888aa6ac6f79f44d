import { WrongExpectedVersion, type EventStore } from '../eventstore/eventStore.js';
import { eventAppendDuration, eventsAppended } from './metrics.js';

/** The same store, with appends timed and counted: works for any adapter. */
export function instrumentEventStore(store: EventStore): EventStore {
  return {
    async append(stream, events, expected) {
      const end = eventAppendDuration.startTimer();
      try {
        const result = await store.append(stream, events, expected);
        end({ outcome: 'ok' });
        for (const event of events) eventsAppended.inc({ type: event.type });
        return result;
      } catch (error) {
        end({ outcome: error instanceof WrongExpectedVersion ? 'conflict' : 'error' });
        throw error;
      }
    },
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    readAllForProjection: (options) => store.readAllForProjection(options),
    headPosition: () => store.headPosition(),
    subscribeToStream: (stream, options) => store.subscribeToStream(stream, options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    publishEphemeral: (channel, payload) => store.publishEphemeral(channel, payload),
    ephemeral: (channel) => store.ephemeral(channel),
    close: () => store.close(),
  };
}
