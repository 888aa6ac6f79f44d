// Shared set-up of the browser suites: Debian's Chromium driven by
// playwright-core, the web client built into web/dist, a real server process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServerProcess, type ServerProcess } from '../support/serverProcess.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);

// Without the networking flags Chromium's background connections are refused by the closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Playwright gives each launch a fresh temporary profile. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function webBuildIsStale(): boolean {
  const built = join(root, 'web/dist/index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(newestMtime(join(root, 'web/src')), newestMtime(join(root, 'web/index.html')), newestMtime(join(root, 'web/vite.config.ts')));
  return statSync(built).mtimeMs < sources;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds web/dist when it is missing or older than web/src. Suites run in
 * parallel workers: a lock directory makes one build while the others wait.
 */
export async function ensureWebBuild(): Promise<void> {
  if (!webBuildIsStale()) return;
  const lock = join(tmpdir(), `threadline-web-build-${Buffer.from(root).toString('hex').slice(-32)}.lock`);
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than two minutes belongs to a dead one.
      const lockedAt = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (waited > 120_000 || Date.now() - lockedAt > 120_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    if (webBuildIsStale()) execFileSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A server process on `dataDir`; `port` pins the port (a restart keeps its URL). */
export const startServer = (dataDir: string, port?: number): Promise<ServerProcess> =>
  startServerProcess(dataDir, port === undefined ? {} : { PORT: String(port) });

export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  await server.exited;
}

/** The key under which the client keeps its token (web/src/auth/storage.ts). */
const TOKEN_KEY = 'threadline.token';

/** A browser context already logged in as `token`, as if the user had logged in before. */
export const contextFor = (browser: Browser, base: string, token: string): Promise<BrowserContext> =>
  browser.newContext({ storageState: { cookies: [], origins: [{ origin: base, localStorage: [{ name: TOKEN_KEY, value: token }] }] } });

/** Opens a thread and waits until its live connection is up. */
export async function openThread(page: Page, base: string, threadId: string): Promise<void> {
  await page.goto(`${base}/threads/${threadId}`);
  await connected(page);
}

export const connected = (page: Page, timeout = 15_000) =>
  page.locator('.connection[data-status="connected"]').waitFor({ timeout });

/** The `<li>` of the confirmed message whose text is exactly `text`. */
export const messageItem = (page: Page, text: string) =>
  page.locator('li.message[data-seq]').filter({ has: page.locator('.message-text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Sends `text` with the composer, as a user would (Enter). */
export async function sendFromComposer(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/** The DOM of the message pane, typed by hand: the project's tsconfig has no DOM lib (the server's code must not see one). */
type Scroller = { scrollTop: number; scrollHeight: number; clientHeight: number };

/** Scrolls the message pane to its top, as a reader looking for older messages does. */
export const scrollMessagesToTop = (page: Page) =>
  page.locator('.message-scroller').evaluate((element) => {
    (element as unknown as Scroller).scrollTop = 0;
  });

/** Pixels between the bottom of the message pane and what it shows. */
export const distanceFromBottom = (page: Page) =>
  page.locator('.message-scroller').evaluate((element) => {
    const pane = element as unknown as Scroller;
    return pane.scrollHeight - pane.scrollTop - pane.clientHeight;
  });
