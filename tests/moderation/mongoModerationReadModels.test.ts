import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { openMongoReadModels } from '../../src/readmodels/mongoReadModels.js';
import { CONTAINER_START_TIMEOUT_MS, backendReachable, mongoBackend, type Backend } from '../support/docker.js';
import { moderationReadModelContract } from './moderationReadModelContract.js';

// MONGO_URL, or a container through testcontainers; otherwise the suite is skipped, saying why.
const reachable = await backendReachable('MONGO_URL');

describe.skipIf(!reachable)('MongoDB moderation read models', () => {
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

  moderationReadModelContract('MongoDB', async () => {
    const dbName = `moderation_${randomUUID().replaceAll('-', '')}`;
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
  });
});
