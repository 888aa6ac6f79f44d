import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('errors are JSON with the right status', () => {
  it('413 for a body over 64 KiB, and the server keeps serving', async () => {
    const user = await t.user();
    const res = await t.request({
      method: 'POST',
      url: '/api/chat/messages/',
      as: user,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ thread: 'x', content: 'y'.repeat(70 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect((await t.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('400 for malformed JSON', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('error.code');
  });

  it('404 for an unknown route', async () => {
    const res = await t.request({ method: 'GET', url: '/api/nothing/here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('trailing slashes are optional', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz/' })).statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/chat/threads' })).statusCode).toBe(401);
    expect((await t.request({ method: 'GET', url: '/api/chat/threads/' })).statusCode).toBe(401);
  });
});

describe('operations endpoints', () => {
  it('/readyz reports the projections caught up with the log', async () => {
    await t.user();
    const head = await t.server.services.store.headPosition();
    await t.server.services.projections[0]!.waitFor(head, 2000);
    const res = await t.request({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', head, projections: [{ name: 'chat', position: head, lag: 0, failure: null }] });
  });

  it('serves the OpenAPI document and UI at /docs', async () => {
    const spec = await t.request({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toContain('/api/chat/messages');
    expect((await t.request({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});
