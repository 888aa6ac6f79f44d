import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { openMongoReadModels } from '../../src/readmodels/mongoReadModels.js';
import { readModelContract } from '../contracts/readModelContract.js';
import { moderationReadModelContract } from '../moderation/moderationReadModelContract.js';
import { CONTAINER_START_TIMEOUT_MS, backendReachable, mongoBackend, type Backend } from '../support/docker.js';

// MONGO_URL, or a container through testcontainers; otherwise the suite is skipped, saying why.
const reachable = await backendReachable('MONGO_URL');

describe.skipIf(!reachable)('MongoDB read models', () => {
  let backend: Backend | null = null;
  const url = () => {
    if (!backend) throw new Error('MongoDB backend did not start');
    return backend.url;
  };

  beforeAll(async () => {
    backend = await mongoBackend();
  }, CONTAINER_START_TIMEOUT_MS);
  afterAll(async () => {
    await backend?.stop();
  });

  // A database per test: the contracts expect an empty store from each factory call.
  const freshDatabase = async () => {
    const dbName = `contract_${randomUUID().replaceAll('-', '')}`;
    const store = await openMongoReadModels(url(), { dbName });
    return {
      store,
      async cleanup() {
        await store.close();
        const admin = await MongoClient.connect(url());
        try {
          await admin.db(dbName).dropDatabase();
        } finally {
          await admin.close();
        }
      },
    };
  };
  readModelContract('MongoDB', freshDatabase);
  moderationReadModelContract('MongoDB', freshDatabase);
});
