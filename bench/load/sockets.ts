import WebSocket from 'ws';
import { forEachLimit } from '../lib/fixtures.js';
import { serveRpc } from '../lib/rpc.js';
import { monotonicMicros, Samples } from '../lib/stats.js';

/**
 * Load process holding chat sockets: opens them (timing each until its `ready`
 * frame), accounts for every `chat_message` of a fan-out run, and measures
 * `after_seq` catch-ups. Up to about 9,000 sockets per process.
 */

export interface SocketSpec {
  thread: string;
  threadIndex: number;
  token: string;
}

interface Member {
  ws: WebSocket;
  threadIndex: number;
  /** Times each post of the current run (by its per-thread number) arrived on this socket. */
  counts: Uint8Array;
  closedBy: string | null;
}

const members: Member[] = [];
const latencies = new Samples();
let runId: string | null = null;
let misrouted = 0;

const socketUrl = (base: string, spec: { thread: string; token: string }, afterSeq?: number) =>
  `${base.replace(/^http/, 'ws')}/ws/chat/${encodeURIComponent(spec.thread)}/?token=${encodeURIComponent(spec.token)}` +
  (afterSeq === undefined ? '' : `&after_seq=${afterSeq}`);

const connect = (url: string) => new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });

/** Content of a bench post: `bench <run> <threadIndex> <n> <sent at, monotonic µs>`. */
function onFrame(member: Member, data: WebSocket.RawData): void {
  if (runId === null) return;
  const frame = JSON.parse(data.toString()) as { type: string; payload?: { content?: string } };
  if (frame.type !== 'chat_message' || typeof frame.payload?.content !== 'string') return;
  const [tag, run, threadIndex, n, sentAt] = frame.payload.content.split(' ');
  if (tag !== 'bench' || run !== runId) return;
  if (Number(threadIndex) !== member.threadIndex) {
    misrouted++;
    return;
  }
  const index = Number(n);
  if (index >= member.counts.length) {
    const bigger = new Uint8Array(Math.max(index + 1, member.counts.length * 2));
    bigger.set(member.counts);
    member.counts = bigger;
  }
  if (member.counts[index]! < 255) member.counts[index]!++;
  if (member.counts[index] === 1) latencies.push((monotonicMicros() - Number(sentAt)) / 1000);
}

async function openOne(base: string, spec: SocketSpec): Promise<number> {
  const started = performance.now();
  const ws = connect(socketUrl(base, spec));
  return new Promise((resolve, reject) => {
    const member: Member = { ws, threadIndex: spec.threadIndex, counts: new Uint8Array(64), closedBy: null };
    const untilReady = (data: WebSocket.RawData) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== 'ready') return;
      ws.off('message', untilReady);
      ws.on('message', (frame) => onFrame(member, frame));
      members.push(member);
      resolve(performance.now() - started);
    };
    ws.on('message', untilReady);
    ws.on('error', (error) => reject(error));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('close', (code, reason) => {
      member.closedBy = `${code} ${reason.toString()}`;
      reject(new Error(`closed before ready: ${member.closedBy}`));
    });
  });
}

function expectedDone(expected: Record<number, Uint8Array>): boolean {
  return members.every((member) => {
    const mask = expected[member.threadIndex];
    if (!mask) return true;
    for (let n = 0; n < mask.length; n++) if (mask[n] && !member.counts[n]) return false;
    return true;
  });
}

export const handlers = {
  /** Opens sockets, `concurrency` handshakes at a time; each counts once its `ready` frame arrived. */
  async open(params: { url: string; sockets: SocketSpec[]; concurrency: number }) {
    const setup = new Samples();
    const failures: string[] = [];
    const started = performance.now();
    await forEachLimit(params.sockets, params.concurrency, async (spec) => {
      try {
        setup.push(await openOne(params.url, spec));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    });
    return { opened: setup.length, failed: failures.length, failures: failures.slice(0, 5), setupMs: setup.toArray(), elapsedMs: performance.now() - started };
  },

  /** Starts accounting for the posts of run `id` (frames of other runs are ignored). */
  startRun(params: { id: string }) {
    runId = params.id;
    misrouted = 0;
    latencies.clear();
    for (const member of members) member.counts.fill(0);
    return members.length;
  },

  /**
   * Waits (at most `graceMs`) until every socket has every post the poster saw
   * acknowledged, then accounts: a missing frame is lost, a second copy a duplicate,
   * a frame of a post that was not acknowledged is unexpected.
   */
  async collect(params: { expected: Record<number, Uint8Array>; graceMs: number }) {
    const deadline = performance.now() + params.graceMs;
    while (!expectedDone(params.expected) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    let frames = 0;
    let lost = 0;
    let duplicates = 0;
    let unexpected = 0;
    for (const member of members) {
      const mask = params.expected[member.threadIndex] ?? new Uint8Array(0);
      for (let n = 0; n < Math.max(mask.length, member.counts.length); n++) {
        const count = member.counts[n] ?? 0;
        frames += count;
        if (count > 1) duplicates += count - 1;
        if (mask[n] && count === 0) lost++;
        if (!mask[n] && count > 0) unexpected++;
      }
    }
    const closed = members.filter((member) => member.closedBy !== null).map((member) => member.closedBy!);
    runId = null;
    return { frames, lost, duplicates, unexpected, misrouted, closed: closed.length, closeReasons: closed.slice(0, 5), latencies: latencies.toArray() };
  },

  async closeAll(_params: object) {
    const count = members.length;
    await Promise.all(
      members.splice(0).map(
        (member) =>
          new Promise<void>((resolve) => {
            if (member.ws.readyState === WebSocket.CLOSED) return resolve();
            member.ws.once('close', () => resolve());
            member.ws.close(1000, 'bench done');
            setTimeout(() => (member.ws.terminate(), resolve()), 5000).unref();
          }),
      ),
    );
    return count;
  },

  /**
   * Connects with `after_seq` `iterations` times, one after the other; each
   * catch-up is timed from the connection attempt to `ready`, and must hold
   * exactly `expectMessages` chat frames with consecutive seqs.
   */
  async resume(params: { url: string; thread: string; token: string; afterSeq: number; expectMessages: number; iterations: number }) {
    const times = new Samples();
    const firstFrames = new Samples();
    const errors: string[] = [];
    let frames = 0;
    for (let i = 0; i < params.iterations; i++) {
      const started = performance.now();
      const ws = connect(socketUrl(params.url, params, params.afterSeq));
      await new Promise<void>((resolve) => {
        let received = 0;
        let nextSeq = params.afterSeq + 1;
        let settled = false;
        const fail = (message: string) => {
          if (settled) return;
          settled = true;
          errors.push(message);
          ws.terminate();
          resolve();
        };
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as { type: string; payload?: { seq?: number } };
          if (frame.type === 'chat_message') {
            if (received === 0) firstFrames.push(performance.now() - started);
            if (frame.payload?.seq !== nextSeq) return fail(`expected seq ${nextSeq}, got ${frame.payload?.seq}`);
            received++;
            nextSeq++;
          } else if (frame.type === 'ready') {
            frames += received;
            if (received !== params.expectMessages) return fail(`catch-up delivered ${received} of ${params.expectMessages} messages`);
            times.push(performance.now() - started);
            settled = true;
            ws.close(1000, 'bench done');
            resolve();
          }
        });
        ws.on('error', (error) => fail(error.message));
        ws.once('close', (code) => fail(`closed ${code} before ready`));
      });
    }
    return { times: times.toArray(), firstFrameMs: firstFrames.toArray(), frames, errors: errors.slice(0, 5), errorCount: errors.length };
  },
};

serveRpc(handlers);
