import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEnv } from './testApp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `npm run cli -- …` as a real child process on `dataDir` (no TTY: no progress bar). */
export function runCli(dataDir: string, args: string[], extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...testEnv(dataDir, extraEnv) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
