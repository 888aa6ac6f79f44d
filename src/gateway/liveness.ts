import type { WebSocket } from 'ws';

/** Shortest tick of the wheel: below this, timers cost more than the pings they spread. */
const MIN_TICK_MS = 25;
/** Slots of the wheel at the default interval: 30 s / 100 = one slot every 300 ms. */
const MAX_SLOTS = 100;

/**
 * Protocol-level liveness for every socket of the node: a ping every
 * `pingIntervalMs`, and a socket that has sent nothing (no pong, no frame) for
 * `idleTimeoutMs` is terminated: a dead peer would otherwise hold its socket,
 * its presence and its buffers forever.
 *
 * Sockets are spread over the slots of a wheel that turns once per ping
 * interval, one slot per tick: pinging every socket of the node in one
 * callback held the event loop for tens of milliseconds at a thousand sockets,
 * which every message in flight then waited for.
 */
export class Liveness {
  private readonly lastHeard = new Map<WebSocket, number>();
  private readonly slots: Set<WebSocket>[];
  private readonly tickMs: number;
  private cursor = 0;
  private nextSlot = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { pingIntervalMs: number; idleTimeoutMs: number }) {
    const count = Math.max(1, Math.min(MAX_SLOTS, Math.floor(options.pingIntervalMs / MIN_TICK_MS)));
    this.slots = Array.from({ length: count }, () => new Set<WebSocket>());
    this.tickMs = options.pingIntervalMs / count;
  }

  watch(ws: WebSocket): void {
    const heard = () => this.lastHeard.set(ws, Date.now());
    heard();
    const slot = this.slots[this.nextSlot]!;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    slot.add(ws);
    ws.on('pong', heard);
    ws.on('message', heard);
    ws.once('close', () => {
      this.lastHeard.delete(ws);
      slot.delete(ws);
    });
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Visits one slot: each socket is pinged once per interval and found silent at most one interval late. */
  private tick(): void {
    const slot = this.slots[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.slots.length;
    const now = Date.now();
    for (const ws of slot) {
      if (now - (this.lastHeard.get(ws) ?? now) > this.options.idleTimeoutMs) ws.terminate();
      else if (ws.readyState === ws.OPEN) ws.ping();
    }
  }
}
