import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export type Take = { allowed: true } | { allowed: false; retryAfterMs: number };

/** A per-key budget of `perSecond` actions with bursts up to `burst`; in memory, so it holds per node. */
export interface RateLimit {
  take(key: string): Promise<Take>;
}

/**
 * `perSecond` refills as whole points over a matching window (0.5/s: 1 point
 * per 2 s); a burst above that comes from a second pool that refills over the
 * time the steady rate would take to earn it.
 */
export function rateLimit({ perSecond, burst = 0, name }: { perSecond: number; burst?: number; name: string }): RateLimit {
  const points = Math.max(1, Math.floor(perSecond));
  const steady = new RateLimiterMemory({ keyPrefix: name, points, duration: points / perSecond });
  const extra = burst - points;
  const limiter =
    extra > 0 ? new BurstyRateLimiter(steady, new RateLimiterMemory({ keyPrefix: `${name}-burst`, points: extra, duration: burst / perSecond })) : steady;
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)) };
      }
    },
  };
}
