// Typing indicator, both ways, without the DOM.

/** How long after the last keystroke we say we stopped. */
export const TYPING_IDLE_MS = 3000;
/** While typing goes on, `is_typing: true` is repeated this often (the server forgets it after 8 s). */
export const TYPING_REFRESH_MS = 4000;
/** Others' typing is forgotten after this long without news, in case their `false` never arrives. */
export const TYPING_DISPLAY_MS = 10_000;

/**
 * Turns keystrokes into few `typing` frames: `true` on the first keystroke and
 * then at most once per refresh period, `false` after a pause, on send and on blur.
 */
export class TypingSender {
  private typing = false;
  private lastSentAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (isTyping: boolean) => void,
    private readonly idleMs = TYPING_IDLE_MS,
    private readonly refreshMs = TYPING_REFRESH_MS,
  ) {}

  /** A keystroke in the composer. */
  input(): void {
    const now = Date.now();
    if (!this.typing || now - this.lastSentAt >= this.refreshMs) {
      this.typing = true;
      this.lastSentAt = now;
      this.send(true);
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.idleMs);
  }

  /** Sent, blurred, paused or left: tell the others once. */
  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.typing) return;
    this.typing = false;
    this.send(false);
  }
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and 2 others are typing…". */
export function typingLabel(names: readonly string[]): string | null {
  const [first, second, third] = names;
  if (first === undefined) return null;
  if (second === undefined) return `${first} is typing…`;
  if (third === undefined) return `${first} and ${second} are typing…`;
  if (names.length === 3) return `${first}, ${second} and ${third} are typing…`;
  return `${first}, ${second} and ${names.length - 2} others are typing…`;
}
