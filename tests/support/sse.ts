/** A minimal Server-Sent Events client over fetch, for tests: frames as they arrive, comments counted. */
export interface SseFrame {
  id: string | undefined;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  comments: string[];
  /** Resolves when `predicate` holds for what has arrived, rejects if the stream ends first. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Kills the connection, as a crashing client would. */
  abort(): void;
  /** Resolves when the server has ended the stream (or the connection broke). */
  ended: Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let finished = false;
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let id: string | undefined;
    let data: string[] = [];
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length > 0) frames.push({ id, data: data.join('\n') });
            id = undefined;
            data = [];
          } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        notify();
      }
    } catch {
      // aborted or reset: the stream is over either way
    } finally {
      finished = true;
      notify();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    frames,
    comments,
    ended,
    abort: () => controller.abort(),
    until(predicate, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate()) done(resolve);
          else if (finished) done(() => reject(new Error(`stream ended after ${frames.length} frames`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${frames.length} frames`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
