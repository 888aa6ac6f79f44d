import autocannon from 'autocannon';
import { serveRpc } from '../lib/rpc.js';
import { Samples } from '../lib/stats.js';

/**
 * Load process running autocannon (closed loop: each connection sends its next
 * request when the previous one is answered). Connection i sends
 * `requests[i % requests.length]`, so each connection can post as its own user
 * into its own thread.
 */
export const handlers = {
  async run(params: {
    url: string;
    path: string;
    connections: number;
    durationS: number;
    warmupS: number;
    requests: { headers: Record<string, string>; body: string }[];
  }) {
    let nextClient = 0;
    const latencies = new Samples();
    const instance = autocannon({
      // autocannon takes the path from the URL (it has no separate path option).
      url: params.url + params.path,
      method: 'POST',
      connections: params.connections,
      duration: params.durationS,
      timeout: 10,
      ...(params.warmupS > 0 ? { warmup: { duration: params.warmupS } } : {}),
      setupClient: (client) => {
        const spec = params.requests[nextClient++ % params.requests.length]!;
        client.setHeadersAndBody({ 'content-type': 'application/json', ...spec.headers }, spec.body);
      },
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
    const result = await instance;
    return {
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      durationS: result.duration,
      latencies: latencies.toArray(),
    };
  },
};

serveRpc(handlers);
