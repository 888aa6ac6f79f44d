import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingSender, typingLabel } from '../../web/src/chat/typing.js';

describe('TypingSender', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says true once for a burst of keystrokes, then false after the pause', () => {
    const sent: boolean[] = [];
    const typing = new TypingSender((isTyping) => sent.push(isTyping), 3000, 4000);
    typing.input();
    vi.advanceTimersByTime(500);
    typing.input();
    vi.advanceTimersByTime(500);
    typing.input();
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(3000);
    expect(sent).toEqual([true, false]);
  });

  it('repeats true during long typing so the server does not expire it', () => {
    const sent: boolean[] = [];
    const typing = new TypingSender((isTyping) => sent.push(isTyping), 3000, 4000);
    for (let i = 0; i < 10; i++) {
      typing.input();
      vi.advanceTimersByTime(1000);
    }
    expect(sent).toEqual([true, true, true]);
  });

  it('says false on stop (send, blur) only when it had said true', () => {
    const sent: boolean[] = [];
    const typing = new TypingSender((isTyping) => sent.push(isTyping));
    typing.stop();
    expect(sent).toEqual([]);
    typing.input();
    typing.stop();
    typing.stop();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false]);
  });
});

describe('typingLabel', () => {
  it('names one, two, three and then counts the rest', () => {
    expect(typingLabel([])).toBeNull();
    expect(typingLabel(['alice'])).toBe('alice is typing…');
    expect(typingLabel(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingLabel(['alice', 'bob', 'carol'])).toBe('alice, bob and carol are typing…');
    expect(typingLabel(['alice', 'bob', 'carol', 'dan', 'eve'])).toBe('alice, bob and 3 others are typing…');
  });
});
