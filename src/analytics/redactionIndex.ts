import type { EventStore } from '../eventstore/eventStore.js';

const PAGE = 5000;

/**
 * The ids of every redacted message, read from the log itself (not from a read
 * model, which may lag): the feed must never show text whose redaction is
 * already recorded. Catching up reads only what was appended since the last
 * call, and one catch-up at a time serves every caller waiting on it.
 */
export class RedactionIndex {
  private readonly redacted = new Set<string>();
  private position = 0;
  private running: Promise<void> | null = null;
  private started = 0;
  private completed = 0;

  constructor(private readonly store: EventStore) {}

  has(messageId: string): boolean {
    return this.redacted.has(messageId);
  }

  /** Resolves once every redaction recorded before this call is known. */
  async catchUp(): Promise<void> {
    // Only a read that starts after this call is sure to see what was recorded before it;
    // callers arriving together share that one read.
    const needed = this.started + 1;
    while (this.completed < needed) {
      if (!this.running) {
        const run = ++this.started;
        this.running = this.readToHead()
          .then(() => void (this.completed = run))
          .finally(() => (this.running = null));
      }
      await this.running;
    }
  }

  private async readToHead(): Promise<void> {
    const head = await this.store.headPosition();
    while (this.position < head) {
      const page = await this.store.readAll({ after: this.position, maxCount: PAGE });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.type === 'MessageRedacted') this.redacted.add((event.data as { messageId: string }).messageId);
      }
      this.position = page[page.length - 1]!.position;
    }
  }
}
