import type { WebSocket } from 'ws';

/**
 * Protocol-level liveness for every socket of the node from one timer: a
 * ping every `pingIntervalMs`, and a socket that has sent nothing (no pong,
 * no frame) for `idleTimeoutMs` is terminated: a dead peer would otherwise
 * hold its socket, its presence and its buffers forever.
 */
export class Liveness {
  private readonly lastHeard = new Map<WebSocket, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastPing = 0;

  constructor(private readonly options: { pingIntervalMs: number; idleTimeoutMs: number }) {}

  watch(ws: WebSocket): void {
    const heard = () => this.lastHeard.set(ws, Date.now());
    heard();
    ws.on('pong', heard);
    ws.on('message', heard);
    ws.once('close', () => this.lastHeard.delete(ws));
  }

  start(): void {
    // Checking a few times per interval bounds how late past the timeout a silent socket goes.
    const tick = Math.max(25, Math.min(this.options.pingIntervalMs, this.options.idleTimeoutMs) / 3);
    this.timer ??= setInterval(() => this.check(), tick);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = Date.now();
    const ping = now - this.lastPing >= this.options.pingIntervalMs;
    if (ping) this.lastPing = now;
    for (const [ws, heard] of this.lastHeard) {
      if (now - heard > this.options.idleTimeoutMs) ws.terminate();
      else if (ping && ws.readyState === ws.OPEN) ws.ping();
    }
  }
}
