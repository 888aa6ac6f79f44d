// The server goes away under an open page and comes back on the same port:
// the page reconnects by itself and shows, once each, the messages posted meanwhile.
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, signUp, type ServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/testApp.js';
import {
  connected,
  contextFor,
  ensureWebBuild,
  hasChromium,
  launchBrowser,
  messageItem,
  openThread,
  startServer,
  stopServer,
} from './browser.js';

describe.skipIf(!hasChromium)('server restart under an open page', { timeout: 60_000 }, () => {
  let dataDir: string;
  const servers: ServerProcess[] = [];
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dataDir = tempDir('threadline-e2e-restart-');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => stopServer(server)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (port?: number) => {
    const server = await startServer(dataDir, port);
    servers.push(server);
    return server;
  };

  it('reconnects with backoff and resumes after the last message it showed', async () => {
    // The page's server, and a second node on the same data directory that stays up while the first is down.
    const [first, other] = await Promise.all([start(), start()]);
    const base = first.url;
    const [alice, bob] = await Promise.all([signUp(base, 'alice'), signUp(base, 'bob')]);
    const thread = await http(`${base}/api/chat/threads/`, { token: alice.token, body: { title: 'Restarts', visibility: 'public' } });
    const threadId = thread.body!.id as string;
    await http(`${base}/api/chat/threads/${threadId}/join/`, { token: bob.token, body: {} });
    const post = (server: ServerProcess, content: string) =>
      http(`${server.url}/api/chat/messages/`, { token: bob.token, body: { thread: threadId, content } });

    const context = await contextFor(browser, base, alice.token);
    const page = await context.newPage();
    const socketUrls: string[] = [];
    page.on('websocket', (socket) => socketUrls.push(socket.url()));
    await openThread(page, base, threadId);
    expect((await post(first, 'before the restart')).status).toBe(201);
    await messageItem(page, 'before the restart').waitFor();

    // A crash: no close frame, the page only sees the connection drop.
    await stopServer(first, 'SIGKILL');
    await page.locator('.connection[data-status="reconnecting"]').waitFor();
    const whileDown = ['posted while it was down', 'and another one'];
    for (const content of whileDown) expect((await post(other, content)).status).toBe(201);

    await start(Number(new URL(base).port));
    await connected(page, 30_000);
    for (const content of whileDown) await messageItem(page, content).waitFor();
    for (const content of ['before the restart', ...whileDown]) expect(await messageItem(page, content).count()).toBe(1);
    // The socket after the restart resumed after the last seq the page had.
    const shownBefore = await page.locator('li.message[data-seq]').first().getAttribute('data-seq');
    expect(socketUrls.length).toBeGreaterThan(1);
    expect(new URL(socketUrls[socketUrls.length - 1]!).searchParams.get('after_seq')).toBe(shownBefore);

    // And it is live again.
    expect((await post(other, 'after the restart')).status).toBe(201);
    await messageItem(page, 'after the restart').waitFor();
    expect(await page.locator('li.message[data-seq]').count()).toBe(4);
    await context.close();
  });

  it('keeps the chat on screen when a background refresh of the thread fails while the server is down', async () => {
    const server = await start();
    const alice = await signUp(server.url, 'dave');
    const thread = await http(`${server.url}/api/chat/threads/`, { token: alice.token, body: { title: 'Refetch', visibility: 'public' } });
    const context = await contextFor(browser, server.url, alice.token);
    await context.clock.install();
    const page = await context.newPage();
    await openThread(page, server.url, thread.body!.id as string);
    await stopServer(server, 'SIGKILL');

    // The thread's details go stale, the tab comes back into view, and their refetch and its one retry fail.
    await context.clock.runFor(6_000);
    let refetches = 0;
    const detail = `${server.url}/api/chat/threads/${thread.body!.id as string}/`;
    page.on('requestfailed', (request) => void (request.url() === detail && refetches++));
    // Run in the page, where the global is the window (react-query's focus manager listens there).
    await page.evaluate(() => (globalThis as unknown as EventTarget).dispatchEvent(new Event('visibilitychange')));
    await expect
      .poll(
        async () => {
          await context.clock.runFor(2_000);
          return refetches;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(2);
    await context.clock.runFor(2_000);
    // Still the chat, with its connection status (and, after the last attempt, its Retry button): not an error page.
    await expect.poll(() => page.locator('#thread-title').count()).toBe(1);
    expect(await page.locator('.connection').count()).toBe(1);
    await context.close();
  });

  // Its own bound: three waits of up to 30 s each, plus two server starts from the sources, exceed the suite's 60 s on a loaded CI machine.
  it('gives up after five attempts with a Retry button, which reconnects once the server is back', { timeout: 150_000 }, async () => {
    const first = await start();
    const base = first.url;
    const alice = await signUp(base, 'carol');
    const thread = await http(`${base}/api/chat/threads/`, { token: alice.token, body: { title: 'Outage', visibility: 'public' } });
    const threadId = thread.body!.id as string;

    const context = await contextFor(browser, base, alice.token);
    // A fake clock jumps over the backoff delays (up to 16 s each) instead of waiting for them.
    await context.clock.install();
    const page = await context.newPage();
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await openThread(page, base, threadId);
    await stopServer(first, 'SIGKILL');

    const status = page.locator('.connection');
    await expect
      .poll(
        async () => {
          await context.clock.runFor(5_000);
          return status.getAttribute('data-status');
        },
        { timeout: 30_000 },
      )
      .toBe('offline');
    expect(sockets).toBe(1 + 5);
    expect(await status.textContent()).toContain('Offline');

    const second = await start(Number(new URL(base).port));
    await http(`${second.url}/api/chat/messages/`, { token: alice.token, body: { thread: threadId, content: 'posted during the outage' } });
    await status.getByRole('button', { name: 'Retry' }).click();
    // Under the fake clock, any timer on the way back (a retry delay, a ping) moves only when the test moves it.
    await expect
      .poll(
        async () => {
          await context.clock.runFor(1_000);
          return status.getAttribute('data-status');
        },
        { timeout: 30_000 },
      )
      .toBe('connected');
    await messageItem(page, 'posted during the outage').waitFor({ timeout: 30_000 });
    await context.close();
  });
});
