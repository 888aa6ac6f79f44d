// The members' chat in a real browser against a real server process: the
// seed's three scenarios, the whole flow through the UI, reload, and XSS.
import { rmSync } from 'node:fs';
import type { Browser, Page, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, signUp, type ServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/testApp.js';
import {
  connected,
  contextFor,
  distanceFromBottom,
  ensureWebBuild,
  hasChromium,
  launchBrowser,
  messageItem,
  openThread,
  scrollMessagesToTop,
  sendFromComposer,
  startServer,
  stopServer,
} from './browser.js';

let counter = 0;
const unique = (name: string) => `${name}${process.pid % 10_000}x${++counter}`;

describe.skipIf(!hasChromium)('chat in the browser', { timeout: 60_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dataDir = tempDir('threadline-e2e-');
    [server, browser] = await Promise.all([startServer(dataDir), launchBrowser()]);
    base = server.url;
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Two members of a fresh public thread. */
  async function twoMembers() {
    const [alice, bob] = await Promise.all([signUp(base, unique('alice')), signUp(base, unique('bob'))]);
    const thread = await http(`${base}/api/chat/threads/`, { token: alice.token, body: { title: unique('Lobby '), visibility: 'public' } });
    expect(thread.status).toBe(201);
    const threadId = thread.body!.id as string;
    expect((await http(`${base}/api/chat/threads/${threadId}/join/`, { token: bob.token, body: {} })).status).toBe(200);
    return { alice, bob, threadId };
  }

  it('shows a message posted over REST, delivered to the page over its WebSocket', async () => {
    const { alice, bob, threadId } = await twoMembers();
    const context = await contextFor(browser, base, alice.token);
    const page = await context.newPage();
    const received: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => received.push(String(payload))));
    await openThread(page, base, threadId);

    const posted = await http(`${base}/api/chat/messages/`, { token: bob.token, body: { thread: threadId, content: 'hello from REST' } });
    expect(posted.status).toBe(201);

    await messageItem(page, 'hello from REST').waitFor();
    expect(await messageItem(page, 'hello from REST').locator('.message-author').textContent()).toBe(bob.username);
    const frames = received.map((text) => JSON.parse(text) as { type: string; payload?: { id?: string } });
    expect(frames.some((f) => f.type === 'chat_message' && f.payload?.id === posted.body!.id)).toBe(true);
    await context.close();
  });

  it('shows who is typing in another browser context, and stops when they send', async () => {
    const { alice, bob, threadId } = await twoMembers();
    const [aliceContext, bobContext] = await Promise.all([contextFor(browser, base, alice.token), contextFor(browser, base, bob.token)]);
    const [alicePage, bobPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
    await Promise.all([openThread(alicePage, base, threadId), openThread(bobPage, base, threadId)]);

    const typing = alicePage.locator('p.typing');
    await expect.poll(() => typing.textContent()).toBe('');
    await bobPage.getByLabel('Message', { exact: true }).pressSequentially('hel');
    await expect.poll(() => typing.textContent(), { timeout: 10_000 }).toBe(`${bob.username} is typing…`);

    await bobPage.getByLabel('Message', { exact: true }).press('Enter');
    await expect.poll(() => typing.textContent(), { timeout: 10_000 }).toBe('');
    await messageItem(alicePage, 'hel').waitFor();
    await Promise.all([aliceContext.close(), bobContext.close()]);
  });

  it('keeps the socket alive with ping and pong frames', async () => {
    const { alice, threadId } = await twoMembers();
    const context = await contextFor(browser, base, alice.token);
    // A fake clock lets the test jump over the 30-second heartbeat period instead of waiting for it.
    await context.clock.install();
    const page = await context.newPage();
    const sockets: PageSocket[] = [];
    const sent: string[] = [];
    const received: string[] = [];
    page.on('websocket', (socket) => {
      sockets.push(socket);
      socket.on('framesent', ({ payload }) => sent.push(String(payload)));
      socket.on('framereceived', ({ payload }) => received.push(String(payload)));
    });
    await openThread(page, base, threadId);

    const count = (frames: string[], type: string) => frames.filter((f) => (JSON.parse(f) as { type: string }).type === type).length;
    // One ping as soon as the socket opens...
    await expect.poll(() => count(received, 'pong')).toBe(1);
    expect(count(sent, 'ping')).toBe(1);
    // ...then one per heartbeat period, each answered.
    await context.clock.fastForward(30_000);
    await expect.poll(() => count(received, 'pong')).toBe(2);
    expect(count(sent, 'ping')).toBe(2);
    await context.clock.fastForward(30_000);
    await expect.poll(() => count(received, 'pong')).toBe(3);

    // The pongs kept the connection: still the first socket, still connected.
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.isClosed()).toBe(false);
    await expect.poll(() => page.locator('.connection').getAttribute('data-status')).toBe('connected');
    await context.close();
  });

  it('registers, creates a thread, lets a second user join, and chats both ways live; a reload keeps session and history', async () => {
    const [aliceContext, bobContext] = await Promise.all([browser.newContext(), browser.newContext()]);
    const [alicePage, bobPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
    const [alice, bob] = [unique('alice'), unique('bob')];
    const title = unique('Book club ');

    await registerThroughForm(alicePage, base, alice);
    await alicePage.getByLabel('Title').fill(title);
    await alicePage.getByRole('button', { name: 'Create thread' }).click();
    await alicePage.getByRole('heading', { name: title }).waitFor();
    await connected(alicePage);
    const threadPath = new URL(alicePage.url()).pathname;
    expect(threadPath).toMatch(/^\/threads\/.+/);

    await registerThroughForm(bobPage, base, bob);
    // The new thread is in Bob's list; he joins from there and opens it.
    await bobPage.getByRole('button', { name: `Join ${title}` }).click();
    await bobPage.getByRole('link', { name: title }).click();
    await connected(bobPage);

    await sendFromComposer(alicePage, 'Hi Bob, welcome!');
    await messageItem(bobPage, 'Hi Bob, welcome!').waitFor();
    // Shift+Enter adds a line; Enter sends.
    const bobComposer = bobPage.getByLabel('Message', { exact: true });
    await bobComposer.pressSequentially('Thanks Alice.');
    await bobComposer.press('Shift+Enter');
    await bobComposer.pressSequentially('See you there.');
    await bobComposer.press('Enter');
    await messageItem(alicePage, 'Thanks Alice.\nSee you there.').waitFor();
    expect(await bobComposer.inputValue()).toBe('');
    // Alice's own message was confirmed (no longer pending) and shows once.
    await expect.poll(() => alicePage.locator('li.message--sending').count()).toBe(0);
    expect(await messageItem(alicePage, 'Hi Bob, welcome!').count()).toBe(1);

    // Reload: still logged in, same history, live again.
    await alicePage.reload();
    await connected(alicePage);
    expect(new URL(alicePage.url()).pathname).toBe(threadPath);
    await messageItem(alicePage, 'Hi Bob, welcome!').waitFor();
    await messageItem(alicePage, 'Thanks Alice.\nSee you there.').waitFor();
    expect(await alicePage.locator('li.message[data-seq]').count()).toBe(2);
    await sendFromComposer(bobPage, 'Still there?');
    await messageItem(alicePage, 'Still there?').waitFor();
    expect(await alicePage.locator('.whoami').textContent()).toContain(alice);

    // Logging out ends the session for good; logging in again brings the thread back.
    await alicePage.getByRole('button', { name: 'Log out' }).click();
    await alicePage.getByText('You have been logged out.').waitFor();
    await alicePage.reload();
    await alicePage.getByRole('heading', { name: 'Log in to Threadline' }).waitFor();
    await alicePage.getByLabel('Username').fill(alice);
    await alicePage.getByLabel('Password').fill('wrong password');
    await alicePage.getByRole('button', { name: 'Log in' }).click();
    await alicePage.getByRole('alert').waitFor();
    await alicePage.getByLabel('Password').fill('correct horse battery');
    await alicePage.getByRole('button', { name: 'Log in' }).click();
    await alicePage.getByRole('link', { name: title }).click();
    await messageItem(alicePage, 'Still there?').waitFor();
    await Promise.all([aliceContext.close(), bobContext.close()]);
  });

  it('lets the owner of a private thread invite a member, whom outsiders cannot see', async () => {
    const [alice, bob, eve] = await Promise.all([signUp(base, unique('alice')), signUp(base, unique('bob')), signUp(base, unique('eve'))]);
    const [aliceContext, bobContext, eveContext] = await Promise.all([
      contextFor(browser, base, alice.token),
      contextFor(browser, base, bob.token),
      contextFor(browser, base, eve.token),
    ]);
    const [alicePage, bobPage, evePage] = await Promise.all([aliceContext.newPage(), bobContext.newPage(), eveContext.newPage()]);
    const title = unique('Secret plans ');
    await alicePage.goto(base);
    await alicePage.getByLabel('Title').fill(title);
    await alicePage.getByLabel('Visibility').selectOption('private');
    await alicePage.getByRole('button', { name: 'Create thread' }).click();
    await connected(alicePage);
    const threadPath = new URL(alicePage.url()).pathname;

    await alicePage.getByRole('button', { name: /^1 member/ }).click();
    await alicePage.getByLabel('Invite a user (username)').fill(bob.username);
    await alicePage.getByRole('button', { name: 'Invite' }).click();
    await alicePage.getByText('Invited.').waitFor();
    await alicePage.locator('.members-panel li', { hasText: bob.username }).waitFor();

    await bobPage.goto(`${base}${threadPath}`);
    await connected(bobPage);
    await sendFromComposer(alicePage, 'only for invited eyes');
    await messageItem(bobPage, 'only for invited eyes').waitFor();

    await evePage.goto(`${base}${threadPath}`);
    await evePage.getByText('This thread does not exist, or it is private and you are not a member.').waitFor();
    expect(await evePage.getByRole('link', { name: title }).count()).toBe(0);
    await Promise.all([aliceContext.close(), bobContext.close(), eveContext.close()]);
  });

  it('shows message text literally and never runs markup from it', async () => {
    const { alice, bob, threadId } = await twoMembers();
    const [aliceContext, bobContext] = await Promise.all([contextFor(browser, base, alice.token), contextFor(browser, base, bob.token)]);
    const [alicePage, bobPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
    await Promise.all([openThread(alicePage, base, threadId), openThread(bobPage, base, threadId)]);
    const attack = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> <a href="javascript:window.__xss=3">click</a>';

    await sendFromComposer(alicePage, attack);
    // Alice sees her confirmed copy; Bob gets it live over the socket; a reload reads it back from history.
    await messageItem(alicePage, attack).waitFor();
    await messageItem(bobPage, attack).waitFor();
    await bobPage.reload();
    await messageItem(bobPage, attack).waitFor();

    for (const page of [alicePage, bobPage]) {
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
      const message = messageItem(page, attack);
      expect(await message.locator('img, script, a').count()).toBe(0);
      expect(await message.locator('.message-text').textContent()).toBe(attack);
    }
    await Promise.all([aliceContext.close(), bobContext.close()]);
  });

  it('loads older history when scrolled to the top, and offers a "new messages" pill to a reader who scrolled up', async () => {
    const { alice, bob, threadId } = await twoMembers();
    // 60 messages from two users: more than one page (50), within the per-user post burst.
    const others = await Promise.all([signUp(base, unique('carl')), signUp(base, unique('dina'))]);
    for (const user of others) await http(`${base}/api/chat/threads/${threadId}/join/`, { token: user.token, body: {} });
    const authors = [alice, bob, ...others];
    for (let i = 1; i <= 60; i++) {
      const posted = await http(`${base}/api/chat/messages/`, { token: authors[i % 4]!.token, body: { thread: threadId, content: `history ${i}` } });
      expect(posted.status).toBe(201);
    }
    const context = await contextFor(browser, base, alice.token);
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 700 });
    await openThread(page, base, threadId);
    const shown = page.locator('li.message[data-seq]');
    await messageItem(page, 'history 60').waitFor();
    expect(await shown.count()).toBe(50);
    expect(await messageItem(page, 'history 10').count()).toBe(0);

    await scrollMessagesToTop(page);
    await messageItem(page, 'history 1').waitFor();
    expect(await shown.count()).toBe(60);
    await page.getByText('Start of the conversation').waitFor();

    // Scrolled up, a new message from someone else does not move the view: a pill says it is there.
    await scrollMessagesToTop(page);
    await http(`${base}/api/chat/messages/`, { token: bob.token, body: { thread: threadId, content: 'news below' } });
    const pill = page.getByRole('button', { name: /1 new message/ });
    await pill.waitFor();
    await pill.click();
    await expect.poll(() => pill.count()).toBe(0);
    await expect.poll(() => distanceFromBottom(page)).toBeLessThan(50);
    await context.close();
  });

  it('retries a send whose answer was lost without posting it twice', async () => {
    const { alice, bob, threadId } = await twoMembers();
    const [aliceContext, bobContext] = await Promise.all([contextFor(browser, base, alice.token), contextFor(browser, base, bob.token)]);
    const [alicePage, bobPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
    await Promise.all([openThread(alicePage, base, threadId), openThread(bobPage, base, threadId)]);
    // The first post reaches the server, but its answer never reaches the page.
    let lost = 0;
    await alicePage.route('**/api/chat/messages/', async (route) => {
      if (route.request().method() !== 'POST' || lost++ > 0) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });

    await sendFromComposer(alicePage, 'sent exactly once');
    const failed = alicePage.locator('li.message--failed', { hasText: 'sent exactly once' });
    await failed.getByText('Not sent').waitFor();
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => failed.count()).toBe(0);

    for (const page of [alicePage, bobPage]) {
      await messageItem(page, 'sent exactly once').waitFor();
      expect(await messageItem(page, 'sent exactly once').count()).toBe(1);
    }
    const history = await http(`${base}/api/chat/messages/?thread=${threadId}`, { token: bob.token });
    expect(history.body!.results.filter((m: { content: string }) => m.content === 'sent exactly once')).toHaveLength(1);
    await Promise.all([aliceContext.close(), bobContext.close()]);
  });

  it('sends a user whose token the server no longer accepts back to the login page, saying why', async () => {
    const { alice } = await twoMembers();
    // A well-formed token with a signature the server rejects (as after a secret rotation).
    const [header, payload] = alice.token.split('.');
    const context = await contextFor(browser, base, `${header}.${payload}.${'A'.repeat(43)}`);
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole('heading', { name: 'Log in to Threadline' }).waitFor();
    await page.getByText('Your session has expired. Please log in again.').waitFor();
    const { origins } = await context.storageState();
    expect(origins.flatMap((origin) => origin.localStorage).find((item) => item.name === 'threadline.token')).toBeUndefined();
    await context.close();
  });
});

async function registerThroughForm(page: Page, base: string, username: string) {
  await page.goto(base);
  // Not logged in: the app sends the visitor to the login page, which links to registration.
  await page.getByRole('heading', { name: 'Log in to Threadline' }).waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Threads' }).waitFor();
}
