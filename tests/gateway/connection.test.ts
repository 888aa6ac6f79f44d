import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { threadWith } from './fixtures.js';
import { connect, TestSocket, type ConnectOptions } from './wsClient.js';

let t: TestApp;
let owner: TestUser;
let outsider: TestUser;
let threadId: string;
const sockets: TestSocket[] = [];
const open = (options: ConnectOptions, thread = threadId) => {
  const socket = connect(t.server.url, thread, options);
  sockets.push(socket);
  return socket;
};
const wsUrl = (path: string) => `${t.server.url.replace(/^http/, 'ws')}${path}`;

beforeAll(async () => {
  t = await startTestApp({ ALLOWED_ORIGINS: 'https://chat.example.com' });
  [owner, outsider] = [await t.user(), await t.user()];
  threadId = await threadWith(t, owner);
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => t.close());

describe('the token', () => {
  it.each(['query', 'protocol', 'header'] as const)('is accepted from the %s', async (via) => {
    const socket = open({ token: owner.token, via });
    await socket.waitForType('ready');
    // A browser requires the server to answer one of the subprotocols it offered.
    expect(socket.ws.protocol).toBe(via === 'protocol' ? 'bearer' : '');
  });

  it('that is invalid closes the socket with 4401', async () => {
    expect(await open({ token: `${owner.token}x` }).closed).toEqual({ code: 4401, reason: 'invalid or expired token' });
    expect((await open({ token: 'not-a-jwt', via: 'header' }).closed).code).toBe(4401);
  });

  it('that has expired closes the socket with 4401', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(owner.id)
      .setIssuer('threadline')
      .setAudience('threadline-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(t.server.services.config.jwtSecret);
    expect((await open({ token: expired }).closed).code).toBe(4401);
  });
});

describe('the thread', () => {
  it('that does not exist closes the socket with 4404', async () => {
    expect(await open({ token: owner.token }, 'no-such-thread').closed).toEqual({ code: 4404, reason: 'no such thread' });
  });

  it('that is private does not exist for outsiders (4404), but does for members', async () => {
    const secret = await threadWith(t, owner, [], 'private');
    expect((await open({ token: outsider.token }, secret).closed).code).toBe(4404);
    await open({ token: owner.token }, secret).waitForType('ready');
  });

  it('is found with or without the trailing slash', async () => {
    const socket = new TestSocket(wsUrl(`/ws/chat/${threadId}?token=${owner.token}`), [], {});
    sockets.push(socket);
    await socket.waitForType('ready');
  });

  it('an upgrade on any other path is refused with 404', async () => {
    const socket = new TestSocket(wsUrl(`/ws/other/${threadId}/?token=${owner.token}`), [], {});
    await expect(socket.opened).rejects.toThrow();
    expect(socket.httpStatus).toBe(404);
  });
});

describe('the Origin', () => {
  it('of a site not on the allow-list is refused before any socket exists', async () => {
    const socket = open({ token: owner.token, origin: 'https://evil.example.net' });
    await expect(socket.opened).rejects.toThrow();
    expect(socket.httpStatus).toBe(403);
  });

  it('of an allowed site, or of the server itself, is accepted', async () => {
    await open({ token: owner.token, origin: 'https://chat.example.com' }).waitForType('ready');
    await open({ token: owner.token, origin: t.server.url }).waitForType('ready');
  });
});

describe('client frames', () => {
  it('bigger than 16 KiB close the socket with 1009', async () => {
    const socket = open({ token: owner.token });
    await socket.waitForType('ready');
    socket.send({ type: 'typing', is_typing: true, padding: 'x'.repeat(16 * 1024) });
    expect((await socket.closed).code).toBe(1009);
  });

  it('that are not JSON, not objects, binary or of an unknown type get bad_frame and the socket stays open', async () => {
    const socket = open({ token: owner.token });
    await socket.waitForType('ready');
    socket.send('{not json');
    socket.send('[1,2]');
    socket.send({ type: 'shout', payload: 'hi' });
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await socket.until(() => (socket.ofType('error').length === 4 ? true : undefined));
    expect(socket.ofType('error').map((f) => f.payload.code)).toEqual(['bad_frame', 'bad_frame', 'bad_frame', 'bad_frame']);
    socket.send({ type: 'ping' });
    await socket.waitForType('pong');
  });

  it('that break the protocol (invalid UTF-8) close only their own socket', async () => {
    const invalidUtf8 = open({ token: owner.token });
    await invalidUtf8.waitForType('ready');
    invalidUtf8.ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect((await invalidUtf8.closed).code).toBe(1007);
    await open({ token: owner.token }).waitForType('ready');
  });

  it('an after_seq that is not a number closes the socket with 1008', async () => {
    expect((await open({ token: owner.token, afterSeq: 'soon' }).closed).code).toBe(1008);
  });
});

describe('liveness', () => {
  let fast: TestApp;
  let user: TestUser;
  let thread: string;
  beforeAll(async () => {
    fast = await startTestApp({ WS_PING_INTERVAL_MS: '100', WS_IDLE_TIMEOUT_MS: '400' });
    user = await fast.user();
    thread = await threadWith(fast, user);
  });
  afterAll(() => fast.close());

  it('a socket that does not answer protocol pings is terminated; one that does stays', async () => {
    const silent = connect(fast.server.url, thread, { token: user.token, autoPong: false });
    const alive = connect(fast.server.url, thread, { token: user.token });
    sockets.push(silent, alive);
    await Promise.all([silent.waitForType('ready'), alive.waitForType('ready')]);
    let pinged = 0;
    alive.ws.on('ping', () => pinged++);
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect((await silent.closed).code).toBe(1006);
    expect(pinged).toBeGreaterThan(0);
    alive.send({ type: 'ping' });
    await alive.waitForType('pong');
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
  });
});
