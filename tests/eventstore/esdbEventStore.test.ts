import { afterAll, beforeAll, describe } from 'vitest';
import { openEsdbEventStore } from '../../src/eventstore/esdbEventStore.js';
import { eventStoreContract } from '../contracts/eventStoreContract.js';
import { CONTAINER_START_TIMEOUT_MS, backendReachable, eventStoreBackend, type Backend } from '../support/docker.js';

// EVENTSTORE_URL, or a container through testcontainers; otherwise the suite is skipped, saying why.
const reachable = await backendReachable('EVENTSTORE_URL');

describe.skipIf(!reachable)('EventStoreDB event store', () => {
  let backend: Backend | null = null;
  const url = () => {
    if (!backend) throw new Error('EventStoreDB backend did not start');
    return backend.url;
  };

  beforeAll(async () => {
    backend = await eventStoreBackend();
  }, CONTAINER_START_TIMEOUT_MS);
  afterAll(async () => {
    await backend?.stop();
  });

  // One server for the whole suite: the contract keeps its tests apart with unique stream names.
  eventStoreContract(
    'EventStoreDB',
    async () => {
      const store = await openEsdbEventStore(url());
      return { store, cleanup: () => store.close() };
    },
    { openSecond: () => openEsdbEventStore(url()) },
  );
});
