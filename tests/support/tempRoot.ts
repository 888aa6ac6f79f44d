import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest's global setup: the run's temp dirs (the tests' own data dirs, and those
 * of the servers, CLIs and browsers they start) all go under one dir, removed
 * when the run ends. Each test closing what it made is not enough: a data dir a
 * failed or killed test leaves behind holds a whole event log.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'threadline-tests-'));
  const previous = process.env.TMPDIR;
  // os.tmpdir() reads TMPDIR on every call, and the test workers and their children inherit it.
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
