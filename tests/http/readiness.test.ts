import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let member: TestUser;
let threadId: string;

beforeAll(async () => {
  t = await startTestApp({ READY_MAX_LAG_EVENTS: '5', RATE_POSTS_BURST: '100' });
  member = await t.user();
  threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'lag', visibility: 'public' } })).json().id;
});

afterAll(() => t.close());

describe('/readyz', () => {
  it('reports each projection lag and fails past the configured bound, until the projection catches up', async () => {
    const runner = t.server.services.projections[0]!;
    await runner.waitFor(await t.server.services.store.headPosition(), 5000);
    const caughtUp = await t.request({ method: 'GET', url: '/readyz' });
    expect(caughtUp.statusCode).toBe(200);
    expect(caughtUp.json()).toMatchObject({ status: 'ready', max_lag: 5, problems: [], projections: [{ name: 'chat', lag: 0, lag_seconds: 0 }] });

    await runner.stop();
    for (let i = 0; i < 8; i++) {
      await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: `m${i}` } });
    }
    const lagging = await t.request({ method: 'GET', url: '/readyz' });
    expect(lagging.statusCode).toBe(503);
    expect(lagging.json().projections[0]).toMatchObject({ name: 'chat', lag: 8 });
    expect(lagging.json().projections[0].lag_seconds).toBeGreaterThan(0);
    expect(lagging.json().problems).toEqual(['projection chat lags 8 events (bound 5)']);

    await runner.start();
    await runner.waitFor(await t.server.services.store.headPosition(), 5000);
    expect((await t.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
