import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeOldReadModels } from '../../src/readmodels/readModelsPointer.js';
import { tempDir } from '../support/testApp.js';

describe('old read-model generations', () => {
  it('go with their WAL, shared memory, lock and unsynced-writes markers; the kept ones and other files stay', () => {
    const dir = tempDir('pointer-');
    const old = 'readmodels-20260101T000000000Z.db';
    const previous = 'readmodels-20260102T000000000Z.db';
    const current = 'readmodels-20260103T000000000Z.db';
    const files = [old, `${old}-wal`, `${old}-shm`, `${old}.lock`, `${old}.unsynced-123-1`, previous, `${previous}.lock`, current, `${current}.unsynced-9`, 'events.db'];
    for (const name of files) writeFileSync(join(dir, name), '');

    expect(removeOldReadModels(dir, [current, previous])).toEqual([old]);
    expect(readdirSync(dir).sort()).toEqual(['events.db', previous, `${previous}.lock`, current, `${current}.unsynced-9`].sort());
  });
});
