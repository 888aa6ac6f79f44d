#!/usr/bin/env node
// Runs vitest, then prints one summary line computed from its JSON report:
//   tests: N passed, M failed, K skipped
// and exits non-zero on any failure (or when vitest itself failed).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-report.json';
rmSync(report, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

if (!existsSync(report)) {
  console.log('tests: 0 passed, 1 failed, 0 skipped');
  console.error('vitest wrote no JSON report');
  process.exit(1);
}
const json = JSON.parse(readFileSync(report, 'utf8'));
const passed = json.numPassedTests ?? 0;
// A file that fails to load has no failed test, only a failed suite: count it then, never twice.
const failed = json.numFailedTests || json.numFailedTestSuites || 0;
const skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
