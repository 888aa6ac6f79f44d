import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { readModelContract } from '../contracts/readModelContract.js';
import { moderationReadModelContract } from '../moderation/moderationReadModelContract.js';
import { tempDir } from '../support/testApp.js';

const freshFile = async () => {
  const dir = tempDir('readmodels-');
  const store = openSqliteReadModels(join(dir, 'readmodels.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

readModelContract('SQLite', freshFile);
moderationReadModelContract('SQLite', freshFile);
