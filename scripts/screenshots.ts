// Takes the README's screenshots of the web client against a real server on a
// temporary data directory:  npx tsx scripts/screenshots.ts
// Writes docs/screenshots/{chat,chat-mobile,moderation,audit}.png.
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../tests/support/cli.js';
import { http, signUp } from '../tests/support/serverProcess.js';
import { tempDir } from '../tests/support/testApp.js';
import { connected, contextFor, ensureWebBuild, hasChromium, launchBrowser, startServer, stopServer } from '../tests/e2e/browser.js';

const outDir = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

async function main() {
  if (!hasChromium) throw new Error('no Chromium: apt-get install -y chromium');
  await ensureWebBuild();
  const dataDir = tempDir('threadline-screenshots-');
  const server = await startServer(dataDir);
  const browser = await launchBrowser();
  try {
    await takeScreenshots(server.url, dataDir, browser);
  } finally {
    await browser.close();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function takeScreenshots(base: string, dataDir: string, browser: Browser) {
  const [alice, bob, dana, carol] = await Promise.all([signUp(base, 'alice'), signUp(base, 'bob'), signUp(base, 'dana'), signUp(base, 'carol')]);
  await runCli(dataDir, ['grant-role', 'carol', 'moderator']);
  const as = (token: string, path: string, body: unknown) => http(`${base}${path}`, { token, body });
  const general = (await as(alice.token, '/api/chat/threads/', { title: 'General', visibility: 'public' })).body!.id as string;
  await as(alice.token, '/api/chat/threads/', { title: 'Release planning', visibility: 'private' });
  await as(bob.token, '/api/chat/threads/', { title: 'Random', visibility: 'public' });
  for (const user of [bob, dana]) await as(user.token, `/api/chat/threads/${general}/join/`, {});
  const conversation: Array<[typeof alice, string]> = [
    [alice, 'Morning all! The new build is on staging.'],
    [bob, 'Nice. Does it include the reconnect fix?'],
    [alice, 'Yes: the page resumes after the last message it saw, so nothing is missed after a restart.'],
    [dana, 'I tried it with the server killed mid-conversation, it came back by itself.'],
    [bob, 'Great. Limited offer!!! cheap watches at spam.example'],
    [alice, 'Shipping it this afternoon then.'],
  ];
  const posted: string[] = [];
  for (const [user, content] of conversation) {
    posted.push((await as(user.token, '/api/chat/messages/', { thread: general, content })).body!.id as string);
  }
  await as(alice.token, '/api/chat/reports/', { message: posted[4], reason: 'spam' });
  await as(dana.token, '/api/chat/reports/', { message: posted[4], reason: 'advertising' });

  mkdirSync(outDir, { recursive: true });
  const shoot = (page: Page, name: string) => page.screenshot({ path: `${outDir}${name}.png` });

  // The chat, with Bob typing in another browser.
  const bobPage = await (await contextFor(browser, base, bob.token)).newPage();
  await bobPage.goto(`${base}/threads/${general}`);
  await connected(bobPage);
  for (const [name, viewport] of [
    ['chat', { width: 1200, height: 720 }],
    ['chat-mobile', { width: 375, height: 740 }],
  ] as const) {
    const context = await contextFor(browser, base, alice.token);
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(`${base}/threads/${general}`);
    await connected(page);
    await page.getByText('Shipping it this afternoon then.').waitFor();
    await bobPage.getByLabel('Message', { exact: true }).pressSequentially('On my way');
    await page.getByText('is typing…').waitFor();
    await shoot(page, name);
    await bobPage.getByLabel('Message', { exact: true }).fill('');
    await context.close();
  }

  // The moderator's queue, then the thread's audit with "view as of" before the redaction.
  const modPage = await (await contextFor(browser, base, carol.token)).newPage();
  await modPage.setViewportSize({ width: 1200, height: 900 });
  await modPage.goto(`${base}/moderation`);
  await modPage.locator('li.report-card').first().waitFor();
  await modPage.locator('li.report-card').first().getByLabel('Note (optional)').fill('Advertising, removed.');
  await modPage.locator('li.report-card').first().getByLabel('Also remove the message').check();
  await shoot(modPage, 'moderation');
  await modPage.locator('li.report-card').first().getByRole('button', { name: 'Mark reviewed' }).click();
  await modPage.locator('li.report-card').first().waitFor();

  await modPage.goto(`${base}/moderation/threads/${general}`);
  await modPage.locator('ol.timeline > li', { hasText: 'MessageRedacted' }).waitFor();
  const slider = modPage.getByRole('slider');
  await slider.focus();
  await slider.press('Home');
  // The event just after the spam was posted.
  for (let step = 0; step < 8; step++) await slider.press('ArrowRight');
  await modPage.getByRole('article').waitFor();
  await slider.blur();
  // The content pane scrolls inside the window: a tall window shows the replay and the timeline together.
  await modPage.setViewportSize({ width: 1200, height: 2100 });
  await shoot(modPage, 'audit');
  console.log(`screenshots written to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
