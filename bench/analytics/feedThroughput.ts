/**
 * Analytics feed throughput over real sockets, pages and SSE, from position 0 to the head:
 *   npx tsx bench/analytics/feedThroughput.ts <dataDir>
 * Starts a server on the data dir (127.0.0.1, random port) and reads as an API-key client.
 */
import { createApiKey } from '../../src/analytics/access.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: feedThroughput.ts <dataDir>');
const server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' }), { logger: false });
const { key } = await createApiKey(server.services.commands, { name: 'bench', scopes: ['events:read'] }, { actorId: 'operator:bench', correlationId: crypto.randomUUID(), now: new Date() });
const headers = { 'x-api-key': key };
const head = await server.services.store.headPosition();

async function pages(limit: number) {
  const started = performance.now();
  let from = 0;
  let events = 0;
  for (;;) {
    const res = await fetch(`${server.url}/api/events/?from_position=${from}&limit=${limit}`, { headers });
    const page = (await res.json()) as { events: unknown[]; next_position: number };
    if (page.events.length === 0) break;
    events += page.events.length;
    from = page.next_position;
  }
  return { events, seconds: (performance.now() - started) / 1000 };
}

async function stream() {
  const started = performance.now();
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/events/stream?from_position=0`, { headers, signal: controller.signal });
  const decoder = new TextDecoder();
  let buffer = '';
  let events = 0;
  let last = 0;
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const id = /^id: (\d+)$/m.exec(frame);
      if (id) {
        events++;
        last = Number(id[1]);
      }
    }
    // The head is the API key's own ApiKeyCreated event, which is in the feed.
    if (last >= head) break;
  }
  controller.abort();
  return { events, seconds: (performance.now() - started) / 1000 };
}

const rate = (r: { events: number; seconds: number }) => `${r.events} events in ${r.seconds.toFixed(2)} s: ${Math.round(r.events / r.seconds)} events/s`;
console.log(`log head ${head}`);
console.log(`GET /api/events/ limit=1000: ${rate(await pages(1000))}`);
console.log(`GET /api/events/ limit=100:  ${rate(await pages(100))}`);
console.log(`GET /api/events/stream:      ${rate(await stream())}`);
await server.close();
