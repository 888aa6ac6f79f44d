import { useCallback, useEffect, useRef, useState } from 'react';
import { TYPING_DISPLAY_MS } from './typing.js';

/** Who else is typing, from chat_typing frames; each entry fades by itself if its `false` is lost. */
export function useTypingRoster() {
  const [typing, setTyping] = useState<string[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const set = useCallback((userId: string, isTyping: boolean) => {
    const timer = timers.current.get(userId);
    if (timer) clearTimeout(timer);
    timers.current.delete(userId);
    if (isTyping) {
      timers.current.set(
        userId,
        setTimeout(() => set(userId, false), TYPING_DISPLAY_MS),
      );
      setTyping((users) => (users.includes(userId) ? users : [...users, userId]));
    } else {
      setTyping((users) => (users.includes(userId) ? users.filter((u) => u !== userId) : users));
    }
  }, []);

  const clear = useCallback(() => {
    for (const timer of timers.current.values()) clearTimeout(timer);
    timers.current.clear();
    setTyping([]);
  }, []);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);

  return { typing, set, clear };
}
