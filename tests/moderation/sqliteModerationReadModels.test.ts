import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { tempDir } from '../support/testApp.js';
import { moderationReadModelContract } from './moderationReadModelContract.js';

moderationReadModelContract('SQLite', async () => {
  const dir = tempDir();
  const store = openSqliteReadModels(join(dir, 'readmodels.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
