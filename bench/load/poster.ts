import { Pool } from 'undici';
import { serveRpc } from '../lib/rpc.js';
import { monotonicMicros, Samples } from '../lib/stats.js';

/**
 * Load process posting chat messages over HTTP at a fixed rate, open loop: a
 * post is sent when it is due whether or not earlier ones were answered (so a
 * slow server shows as latency, not as a lower rate). Posts go round-robin over
 * the threads; each carries its thread's running number and the monotonic time
 * it was sent, which the socket processes read back out of the frame.
 */

export interface PostTarget {
  thread: string;
  /** Bearer tokens of the thread's members, used in turn. */
  tokens: string[];
}

const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 15_000;

// One keep-alive pool per server, kept across calls: a fan-out run alternates between servers in short
// segments, and fresh connections at the start of each would put their setup into the measured latencies.
// undici rather than node:http: at 500 posts/s node:http's client took 16-18% of a core on this 2-core
// machine, CPU that both servers under test then compete with.
const pools = new Map<string, Pool>();
const poolFor = (url: string, connections: number): Pool => {
  let pool = pools.get(url);
  if (!pool) pools.set(url, (pool = new Pool(url, { connections, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS })));
  return pool;
};

export const handlers = {
  async post(params: { url: string; runId: string; rate: number; durationMs: number; threads: PostTarget[]; connections: number; maxInFlight: number }) {
    const pool = poolFor(params.url, params.connections);
    const total = Math.round((params.rate * params.durationMs) / 1000);
    const counters = new Array<number>(params.threads.length).fill(0);
    const acknowledged: number[][] = params.threads.map(() => []);
    const httpLatencies = new Samples();
    const statuses: Record<string, number> = {};
    const errors: string[] = [];
    let sent = 0;
    let dropped = 0;
    let inFlight = 0;
    let failed = 0;

    const fail = (reason: string) => {
      failed++;
      statuses[reason] = (statuses[reason] ?? 0) + 1;
      if (errors.length < 5) errors.push(reason);
    };

    const send = (i: number) => {
      if (inFlight >= params.maxInFlight) {
        dropped++;
        return;
      }
      const threadIndex = i % params.threads.length;
      const target = params.threads[threadIndex]!;
      const n = counters[threadIndex]!++;
      const body = JSON.stringify({ thread: target.thread, content: `bench ${params.runId} ${threadIndex} ${n} ${monotonicMicros()}` });
      const started = performance.now();
      inFlight++;
      let status = 0;
      pool.dispatch(
        {
          path: '/api/chat/messages/',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${target.tokens[n % target.tokens.length]}` },
          body,
        },
        {
          onRequestStart: () => undefined,
          onResponseStart: (_controller, statusCode) => {
            status = statusCode;
          },
          onResponseEnd: () => {
            inFlight--;
            httpLatencies.push(performance.now() - started);
            if (status === 201 || status === 200) acknowledged[threadIndex]!.push(n);
            else fail(`HTTP ${status}`);
          },
          onResponseError: (_controller, error) => {
            inFlight--;
            fail(error.message);
          },
        },
      );
    };

    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * params.rate));
        while (sent < due) send(sent++);
        if (sent >= total) return resolve();
        // Wake when the next post is due, not every millisecond: the poster's wake-ups take CPU from the servers.
        setTimeout(tick, Math.max(0, started + ((sent + 1) * 1000) / params.rate - performance.now()));
      };
      tick();
    });
    const sendingMs = performance.now() - started;
    const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
    while (inFlight > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 10));

    const okMasks: Record<number, Uint8Array> = {};
    acknowledged.forEach((ns, threadIndex) => {
      const mask = new Uint8Array(counters[threadIndex]!);
      for (const n of ns) mask[n] = 1;
      okMasks[threadIndex] = mask;
    });
    const ok = acknowledged.reduce((sum, ns) => sum + ns.length, 0);
    return { scheduled: total, ok, failed, dropped, unanswered: inFlight, statuses, errors, okMasks, sendingMs, httpLatencies: httpLatencies.toArray() };
  },
};

serveRpc(handlers);
