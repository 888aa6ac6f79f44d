import type { handlers as SocketHandlers } from '../load/sockets.js';
import { appendMessages, seedChat } from '../lib/fixtures.js';
import { watchProcess } from '../lib/procStats.js';
import { startThreadline, waitProjected } from '../lib/processes.js';
import { forkLoadProcess } from '../lib/rpc.js';
import { latencyCells, useCells, withTempDir, type RunContext, type ScenarioResult } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';

export interface ResumeOptions {
  /** Messages delivered by each catch-up. */
  messages: number;
  /** Catch-ups, one after the other. */
  iterations: number;
}

export const RESUME_DEFAULTS: ResumeOptions = { messages: 10_000, iterations: 10 };

const SOCKETS_SCRIPT = new URL('../load/sockets.ts', import.meta.url);

/** Resume: a socket reconnecting with `after_seq` just before N messages, timed from the connection attempt to `ready`. */
export async function runResume(options: ResumeOptions, context: RunContext): Promise<ScenarioResult> {
  return withTempDir('threadline-bench-resume-', async (dataDir) => {
    context.log(`resume: seeding a thread with ${options.messages} messages`);
    const fixture = await seedChat(dataDir, { users: 2, threads: 1, membersPerThread: 2 });
    const thread = fixture.threads[0]!;
    const firstSeq = await appendMessages(dataDir, thread.id, thread.members.map((m) => fixture.users[m]!.id), options.messages);
    const server = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: fixture.jwtSecret });
    const client = forkLoadProcess<typeof SocketHandlers>(SOCKETS_SCRIPT);
    try {
      await waitProjected(server.url);
      await client.ready();
      context.log(`resume: ${options.iterations} catch-ups of ${options.messages} messages`);
      const watch = watchProcess(server.pid);
      const result = await client.call('resume', {
        url: server.url,
        thread: thread.id,
        token: fixture.users[thread.members[1]!]!.token,
        afterSeq: firstSeq - 1,
        expectMessages: options.messages,
        iterations: options.iterations,
      });
      const use = watch.stop();
      const latency = summarize(result.times);
      const totalS = result.times.reduce((sum, ms) => sum + ms, 0) / 1000;
      return {
        title: `Resume: ${options.messages}-message after_seq catch-up, ${options.iterations} times`,
        rows: [
          {
            target: 'threadline, connect -> ready',
            'catch-ups': result.times.length,
            messages: result.frames,
            errors: result.errorCount,
            ...latencyCells(latency),
            'first frame p50 ms': summarize(result.firstFrameMs).p50,
            'messages/s': totalS > 0 ? result.frames / totalS : null,
            ...useCells(use),
          },
        ],
        notes: result.errors.map((error) => `catch-up error: ${error}`),
        checks: [
          {
            target: 'a 10,000-message after_seq catch-up delivered in under 1 s (median)',
            measured: `${latency.p50.toFixed(0)} ms median, ${latency.max.toFixed(0)} ms max`,
            met: options.messages === 10_000 && result.errorCount === 0 ? latency.p50 < 1000 : null,
          },
        ],
      };
    } finally {
      await client.stop();
      await server.stop();
    }
  });
}
