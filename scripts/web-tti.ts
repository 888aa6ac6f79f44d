// Time to interactive of the web client on a local server: from navigation
// start to the thread showing its newest 50 messages over a live socket (the
// client's `threadline:chat-interactive` performance mark), in a fresh browser
// context (cold HTTP cache) each run.  npx tsx scripts/web-tti.ts [runs]
import { rmSync } from 'node:fs';
import { http, signUp } from '../tests/support/serverProcess.js';
import { tempDir } from '../tests/support/testApp.js';
import { connected, contextFor, ensureWebBuild, hasChromium, launchBrowser, startServer, stopServer } from '../tests/e2e/browser.js';

const MARK = 'threadline:chat-interactive';
const runs = Number(process.argv[2] ?? 10);

async function main() {
  if (!hasChromium) throw new Error('no Chromium: apt-get install -y chromium');
  await ensureWebBuild();
  const dataDir = tempDir('threadline-tti-');
  const server = await startServer(dataDir);
  const browser = await launchBrowser();
  try {
    const base = server.url;
    const users = await Promise.all(['ann', 'ben', 'cat', 'dan', 'eve'].map((name) => signUp(base, name)));
    const thread = await http(`${base}/api/chat/threads/`, { token: users[0]!.token, body: { title: 'TTI', visibility: 'public' } });
    const threadId = thread.body!.id as string;
    for (const user of users.slice(1)) await http(`${base}/api/chat/threads/${threadId}/join/`, { token: user.token, body: {} });
    // 60 messages, 12 per user: under the per-user post burst.
    for (let i = 0; i < 60; i++) {
      const user = users[i % users.length]!;
      await http(`${base}/api/chat/messages/`, { token: user.token, body: { thread: threadId, content: `message ${i} from ${user.username}` } });
    }

    const samples: { interactive: number; domContentLoaded: number }[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await contextFor(browser, base, users[0]!.token);
      const page = await context.newPage();
      await page.goto(`${base}/threads/${threadId}`);
      await connected(page);
      await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK);
      samples.push(
        await page.evaluate((mark) => {
          // Node's types describe this global, not the browser's: its navigation entry is cast by hand.
          const navigation = performance.getEntries().find((e) => (e.entryType as string) === 'navigation') as unknown as { domContentLoadedEventEnd: number } | undefined;
          return { interactive: performance.getEntriesByName(mark)[0]!.startTime, domContentLoaded: navigation?.domContentLoadedEventEnd ?? NaN };
        }, MARK),
      );
      await context.close();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ms = (value: number) => `${Math.round(value)} ms`;
    console.log(`runs: ${runs}, cold cache each, ${base}`);
    console.log(`DOMContentLoaded: median ${ms(median(samples.map((s) => s.domContentLoaded)))}`);
    console.log(
      `interactive (history shown, socket live): median ${ms(median(samples.map((s) => s.interactive)))}, ` +
        `min ${ms(Math.min(...samples.map((s) => s.interactive)))}, max ${ms(Math.max(...samples.map((s) => s.interactive)))}`,
    );
  } finally {
    await browser.close();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
