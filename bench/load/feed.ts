import { serveRpc } from '../lib/rpc.js';
import { Samples } from '../lib/stats.js';

/**
 * Load process reading the analytics feed from position 0 to `head`, page
 * after page, as a catching-up consumer does. `missing` when the server has no
 * feed route.
 */
export const handlers = {
  async read(params: { url: string; token: string; limit: number; head: number }) {
    const pageMs = new Samples();
    let position = 0;
    let events = 0;
    const started = performance.now();
    while (position < params.head) {
      const sent = performance.now();
      const res = await fetch(`${params.url}/api/events/?from_position=${position}&limit=${params.limit}`, {
        headers: { authorization: `Bearer ${params.token}` },
      });
      const body = (await res.json()) as { events?: unknown[]; next_position?: number };
      if (res.status === 404 && position === 0) return { missing: true as const };
      if (res.status !== 200 || !body.events || typeof body.next_position !== 'number') {
        return { missing: false as const, events, elapsedMs: performance.now() - started, pageMs: pageMs.toArray(), error: `HTTP ${res.status} at ${position}` };
      }
      pageMs.push(performance.now() - sent);
      events += body.events.length;
      if (body.next_position <= position) break;
      position = body.next_position;
    }
    return { missing: false as const, events, elapsedMs: performance.now() - started, pageMs: pageMs.toArray(), error: null };
  },
};

serveRpc(handlers);
