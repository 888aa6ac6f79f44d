import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { Liveness } from '../../src/gateway/liveness.js';

/** Just what Liveness touches of a ws socket. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  pings = 0;
  terminated = false;
  ping() {
    this.pings++;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
}

describe('liveness', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const watchAll = (liveness: Liveness, count: number) => {
    const sockets = Array.from({ length: count }, () => new FakeSocket());
    for (const socket of sockets) liveness.watch(socket as unknown as WebSocket);
    liveness.start();
    return sockets;
  };

  it('spreads the pings of one interval over its ticks instead of pinging every socket at once', () => {
    const liveness = new Liveness({ pingIntervalMs: 30_000, idleTimeoutMs: 60_000 });
    const sockets = watchAll(liveness, 1000);
    const pinged = () => sockets.reduce((sum, s) => sum + s.pings, 0);

    vi.advanceTimersByTime(300);
    expect(pinged()).toBe(10);
    vi.advanceTimersByTime(30_000 - 300);
    expect(sockets.every((s) => s.pings === 1)).toBe(true);
    liveness.stop();
  });

  it('terminates a socket silent past the idle timeout, at most one ping interval late, and keeps one that answers', () => {
    const liveness = new Liveness({ pingIntervalMs: 1000, idleTimeoutMs: 3000 });
    const [silent, answering] = watchAll(liveness, 2);
    answering!.ping = () => {
      answering!.pings++;
      answering!.emit('pong');
    };

    vi.advanceTimersByTime(3000);
    expect(silent!.terminated).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(silent!.terminated).toBe(true);
    expect(answering!.terminated).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(answering!.terminated).toBe(false);
    expect(silent!.pings).toBe(3);
    liveness.stop();
  });

  it('forgets a closed socket', () => {
    const liveness = new Liveness({ pingIntervalMs: 100, idleTimeoutMs: 400 });
    const [closed] = watchAll(liveness, 1);
    closed!.readyState = 3;
    closed!.emit('close');
    vi.advanceTimersByTime(1000);
    expect(closed!.pings).toBe(0);
    expect(closed!.terminated).toBe(false);
    liveness.stop();
  });
});
