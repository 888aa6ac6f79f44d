import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/testApp.js';

describe('the test run\'s temp dirs (tests/support/tempRoot.ts)', () => {
  it('all go under one root of this run (the global setup removes it when the run ends)', () => {
    const root = tmpdir();
    expect(basename(root)).toMatch(/^threadline-tests-/);
    expect(dirname(tempDir())).toBe(root);
  });
});
