// Reporting and moderation in a real browser: a member reports a message, a
// moderator (made one with the CLI) reviews and redacts it from the queue, and
// the author's open page shows "message removed" live; the audit replays the thread.
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { http, signUp, type ServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/testApp.js';
import { contextFor, ensureWebBuild, hasChromium, launchBrowser, messageItem, openThread, startServer, stopServer } from './browser.js';

describe.skipIf(!hasChromium)('moderation in the browser', { timeout: 60_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dataDir = tempDir('threadline-e2e-moderation-');
    [server, browser] = await Promise.all([startServer(dataDir), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('report -> moderator reviews and redacts -> the author sees "message removed"; the audit shows the thread as it was', async () => {
    const base = server.url;
    const [alice, bob, mod] = await Promise.all([signUp(base, 'alice'), signUp(base, 'bob'), signUp(base, 'mod')]);
    const granted = await runCli(dataDir, ['grant-role', 'mod', 'moderator']);
    expect(granted.code, granted.stderr).toBe(0);
    const thread = await http(`${base}/api/chat/threads/`, { token: alice.token, body: { title: 'Town square', visibility: 'public' } });
    const threadId = thread.body!.id as string;
    await http(`${base}/api/chat/threads/${threadId}/join/`, { token: bob.token, body: {} });
    const offending = 'buy cheap watches at spam.example';
    for (const content of ['good morning', offending]) {
      expect((await http(`${base}/api/chat/messages/`, { token: alice.token, body: { thread: threadId, content } })).status).toBe(201);
    }

    const [aliceContext, bobContext, modContext] = await Promise.all([
      contextFor(browser, base, alice.token),
      contextFor(browser, base, bob.token),
      contextFor(browser, base, mod.token),
    ]);
    const [alicePage, bobPage, modPage] = await Promise.all([aliceContext.newPage(), bobContext.newPage(), modContext.newPage()]);
    await Promise.all([openThread(alicePage, base, threadId), openThread(bobPage, base, threadId)]);

    // Bob reports the message, once; a second report says it was already done.
    const reportAs = async (reason: string) => {
      await messageItem(bobPage, offending).getByRole('button', { name: 'Report message from alice' }).click();
      await bobPage.getByLabel('Why are you reporting this message?').fill(reason);
      await bobPage.getByRole('button', { name: 'Send report' }).click();
    };
    await reportAs('spam');
    await messageItem(bobPage, offending).getByText('Reported. A moderator will review it.').waitFor();
    await reportAs('still spam');
    await messageItem(bobPage, offending).getByText('You already reported this message.').waitFor();

    // The moderator works the queue: the pending report, with the message and the reason.
    await modPage.goto(`${base}/moderation`);
    const card = modPage.locator('li.report-card').filter({ hasText: offending });
    await card.waitFor();
    expect(await card.locator('dd').first().textContent()).toBe('spam');
    await card.getByLabel('Note (optional)').fill('advertising');
    await card.getByLabel('Also remove the message').check();
    await card.getByRole('button', { name: 'Mark reviewed' }).click();
    await modPage.getByText('No pending reports.').waitFor();

    // Live on the open pages: the text is gone, the other message stays.
    for (const page of [alicePage, bobPage]) {
      await page.locator('li.message[data-seq]').filter({ hasText: 'message removed' }).waitFor();
      expect(await page.getByText(offending).count()).toBe(0);
      await messageItem(page, 'good morning').waitFor();
    }

    // The reviewed queue lists it with the moderator's note.
    await modPage.getByLabel('Status').selectOption('reviewed');
    await modPage.locator('li.report-card').filter({ hasText: 'advertising' }).waitFor();

    // The audit: every event with its actor, and the thread replayed before the redaction.
    await modPage.goto(`${base}/moderation/threads/${threadId}`);
    const timeline = modPage.locator('ol.timeline > li');
    await timeline.filter({ hasText: 'MessageRedacted' }).waitFor();
    const entryOf = (type: string) => timeline.filter({ has: modPage.locator('.timeline-type', { hasText: new RegExp(`^${type}$`) }) });
    await entryOf('ReportReviewed').waitFor();
    expect(await entryOf('MessageReported').locator('.timeline-text').textContent()).toBe(`reported alice’s message “${offending}” (reason: spam)`);
    expect(await entryOf('MessageRedacted').locator('.timeline-actor').textContent()).toBe('mod');
    expect(await entryOf('ReportReviewed').locator('.timeline-text').textContent()).toContain('(note: advertising)');
    // Moderators still read the original text in the log, marked as removed since.
    const posted = timeline.filter({ hasText: offending }).first();
    expect(await posted.locator('.timeline-text').textContent()).toBe(`posted: “${offending}” (removed since)`);

    // "View as of" the post: the message as members saw it then, before the redaction.
    const postedIndex = (await timeline.allTextContents()).findIndex((text) => text.includes(offending));
    const seq = Number((await posted.locator('.timeline-seq').textContent())!.slice(1));
    const slider = modPage.getByRole('slider');
    await slider.focus();
    await slider.press('Home');
    for (let step = 0; step < postedIndex; step++) await slider.press('ArrowRight');
    const asOf = modPage.getByRole('article', { name: `Thread as of seq ${seq}` });
    await asOf.locator('li.message', { hasText: offending }).waitFor();
    expect(await asOf.getByText('message removed').count()).toBe(0);
    // And now: removed.
    await slider.press('End');
    const lastSeq = Number((await timeline.filter({ has: modPage.locator('.timeline-seq', { hasText: /^#/ }) }).last().locator('.timeline-seq').textContent())!.slice(1));
    await modPage.getByRole('article', { name: `Thread as of seq ${lastSeq}` }).getByText('message removed').waitFor();

    await Promise.all([aliceContext.close(), bobContext.close(), modContext.close()]);
  });
});
