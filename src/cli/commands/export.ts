import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { parseFilter, readFeedPage } from '../../analytics/feedReader.js';
import { resumePosition } from '../../analytics/ndjsonResume.js';
import { RedactionIndex } from '../../analytics/redactionIndex.js';
import { progressBar } from '../progress.js';
import { openCliStores } from '../stores.js';

const PAGE = 1000;

interface ExportOptions {
  fromPosition: string;
  out?: string;
  types?: string;
  thread?: string;
}

/** `export`: the feed, as NDJSON (one feed event per line), to a file or stdout; a file export resumes where it stopped. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the analytics feed as NDJSON (same shape as GET /api/events); an existing --out file is resumed after its last line')
    .option('--from-position <n>', 'export events after this position', '0')
    .option('--out <file>', 'write here instead of stdout')
    .option('--types <types>', 'comma-separated event types')
    .option('--thread <threadId>', 'only events about this thread')
    .action(async (options: ExportOptions) => {
      const from = Number(options.fromPosition);
      if (!Number.isSafeInteger(from) || from < 0) throw new Error('--from-position must be a non-negative integer');
      const cli = await openCliStores();
      try {
        const resumed = options.out ? resumePosition(options.out) : 0;
        const out: Writable = options.out ? createWriteStream(options.out, { flags: 'a' }) : process.stdout;
        const result = await exportFeed(cli.store, out, { after: Math.max(from, resumed), types: options.types, thread: options.thread });
        if (options.out) {
          out.end();
          await once(out, 'finish');
        }
        const where = options.out ?? 'stdout';
        const resumedNote = resumed > from ? ` (resumed after position ${resumed})` : '';
        console.error(`exported ${result.events} events up to position ${result.position} to ${where}${resumedNote}, ${result.rate} events/s`);
      } finally {
        await cli.close();
      }
    });
}

async function exportFeed(
  store: Parameters<typeof readFeedPage>[0],
  out: Writable,
  options: { after: number; types?: string; thread?: string },
): Promise<{ events: number; position: number; rate: number }> {
  const redactions = new RedactionIndex(store);
  const filter = parseFilter(options);
  const progress = progressBar('export');
  let position = options.after;
  let events = 0;
  let examined = 0;
  const head = await store.headPosition();
  try {
    // Up to the head read at the start: an export is a snapshot, the stream follows live.
    while (position < head) {
      const page = await readFeedPage(store, redactions, { after: position, limit: PAGE, filter });
      if (page.nextPosition === position) break;
      if (page.events.length > 0 && !out.write(page.events.map((e) => `${JSON.stringify(e)}\n`).join(''))) await once(out, 'drain');
      examined += page.events.length;
      events += page.events.length;
      position = page.nextPosition;
      progress.update(Math.min(position, head), head, examined);
    }
  } finally {
    progress.stop();
  }
  return { events, position, rate: progress.rate(examined) };
}
