import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { readModelContract } from '../contracts/readModelContract.js';
import { tempDir } from '../support/testApp.js';

readModelContract('SQLite', async () => {
  const dir = tempDir('readmodels-');
  const store = openSqliteReadModels(join(dir, 'readmodels.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
