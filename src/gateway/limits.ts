import type { RateLimit } from '../limits/rateLimit.js';

export type Verdict = { action: 'allow' } | { action: 'warn'; retryAfterMs: number } | { action: 'drop' } | { action: 'close' };

/** Frames refused in a row, after the warning, before a socket is closed for flooding. */
export const FLOOD_STRIKES = 10;

/**
 * One socket's standing against a rate limit: over the limit it is warned
 * once (an error frame per refused frame would be an amplifier), then its
 * frames are dropped, and if it keeps flooding it is closed. A frame that
 * passes forgives the past.
 */
export class FloodGuard {
  private warned = false;
  private strikes = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly key: string,
  ) {}

  async check(): Promise<Verdict> {
    const take = await this.limit.take(this.key);
    if (take.allowed) {
      this.warned = false;
      this.strikes = 0;
      return { action: 'allow' };
    }
    if (!this.warned) {
      this.warned = true;
      return { action: 'warn', retryAfterMs: take.retryAfterMs };
    }
    return ++this.strikes >= FLOOD_STRIKES ? { action: 'close' } : { action: 'drop' };
  }
}
