import client from 'prom-client';

/**
 * Every process-wide metric, in one registry. Other layers import the one they
 * update (the gateway: `wsConnectionsOpen`, `wsFramesSent`, `wsFramesReceived`,
 * `rateLimitRejections`); `/metrics` serves this registry merged with the
 * per-server gauges of `serverMetrics.ts`.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const registers = [registry];
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const httpRequestDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request durations, by route pattern and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: FAST_BUCKETS,
  registers,
});

export const eventAppendDuration = new client.Histogram({
  name: 'eventstore_append_duration_seconds',
  help: 'Duration of event-store appends (one call, possibly several events), by outcome: ok, conflict, error',
  labelNames: ['outcome'] as const,
  buckets: FAST_BUCKETS,
  registers,
});

export const eventsAppended = new client.Counter({
  name: 'eventstore_events_appended_total',
  help: 'Events appended to the log, by event type',
  labelNames: ['type'] as const,
  registers,
});

export const wsConnectionsOpen = new client.Gauge({
  name: 'ws_connections_open',
  help: 'WebSocket connections currently open',
  registers,
});

export const wsFramesSent = new client.Counter({
  name: 'ws_frames_sent_total',
  help: 'WebSocket frames sent to clients, by frame type',
  labelNames: ['type'] as const,
  registers,
});

export const wsFramesReceived = new client.Counter({
  name: 'ws_frames_received_total',
  help: 'WebSocket frames received from clients, by frame type',
  labelNames: ['type'] as const,
  registers,
});

export const rateLimitRejections = new client.Counter({
  name: 'rate_limit_rejections_total',
  help: 'Requests or frames refused by a rate limit, by limit name',
  labelNames: ['limit'] as const,
  registers,
});

export const feedStreamsOpen = new client.Gauge({
  name: 'feed_streams_open',
  help: 'Analytics event-feed (SSE) connections currently open',
  registers,
});

export const feedEventsSent = new client.Counter({
  name: 'feed_events_sent_total',
  help: 'Events sent by the analytics feed, pages and streams together',
  labelNames: ['via'] as const,
  registers,
});

export const feedStreamsDropped = new client.Counter({
  name: 'feed_streams_dropped_total',
  help: 'Feed streams the server closed because the client did not read fast enough',
  registers,
});

export const readModelSwaps = new client.Counter({
  name: 'readmodel_swaps_total',
  help: 'Rebuilt read models this server switched to',
  registers,
});
