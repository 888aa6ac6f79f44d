import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
const TOKEN = 'scrape-me-please';

beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN: TOKEN });
});

afterAll(() => t.close());

const scrape = async () => {
  const res = await t.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  return res.body;
};
/** The value of one sample line, e.g. `name{label="x"}`. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('needs the METRICS_TOKEN when one is set', async () => {
    expect((await t.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.request({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
  });

  it('serves Prometheus text with request durations by route, appends and projection lag', async () => {
    const before = await scrape();
    const appendedBefore = sample(before, 'eventstore_events_appended_total{type="UserRegistered"}') ?? 0;
    const user = await t.user();
    await t.request({ method: 'GET', url: `/api/chat/threads/${crypto.randomUUID()}/`, as: user });
    await t.server.services.projections[0]!.waitFor(await t.server.services.store.headPosition(), 5000);

    const text = await scrape();
    expect(text).toMatch(/^# HELP http_request_duration_seconds /m);
    // Routes appear as their pattern, never with the id that was asked for.
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/chat/threads/:id",status_code="404"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/auth/register",status_code="201"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'eventstore_events_appended_total{type="UserRegistered"}')).toBe(appendedBefore + 1);
    expect(sample(text, 'eventstore_append_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(2);
    const head = await t.server.services.store.headPosition();
    expect(sample(text, 'eventstore_head_position')).toBe(head);
    expect(sample(text, 'projection_position{projection="chat"}')).toBe(head);
    expect(sample(text, 'projection_lag_events{projection="chat"}')).toBe(0);
    expect(sample(text, 'projection_lag_seconds{projection="chat"}')).toBe(0);
    expect(sample(text, 'projection_failed{projection="chat"}')).toBe(0);
    for (const name of ['ws_connections_open', 'ws_frames_sent_total', 'ws_frames_received_total', 'rate_limit_rejections_total', 'feed_streams_open']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});
