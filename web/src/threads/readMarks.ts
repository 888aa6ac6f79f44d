// Per user and thread, the server time of the newest activity the user has
// seen, kept in localStorage: a thread is unread when its last activity is newer.
import { useSyncExternalStore } from 'react';

type Marks = Record<string, string>;
const listeners = new Set<() => void>();
const cache = new Map<string, Marks>();
const key = (userId: string) => `threadline.read.${userId}`;

function read(userId: string): Marks {
  let marks = cache.get(userId);
  if (!marks) {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(key(userId)) ?? '{}');
      marks = typeof parsed === 'object' && parsed !== null ? (parsed as Marks) : {};
    } catch {
      marks = {};
    }
    cache.set(userId, marks);
  }
  return marks;
}

/** Records that the user has seen the thread up to `seenAt` (ISO time from the server); never goes back. */
export function markRead(userId: string, threadId: string, seenAt: string | undefined): void {
  if (!seenAt) return;
  const marks = read(userId);
  const previous = marks[threadId];
  if (previous !== undefined && Date.parse(previous) >= Date.parse(seenAt)) return;
  const next = { ...marks, [threadId]: seenAt };
  cache.set(userId, next);
  try {
    localStorage.setItem(key(userId), JSON.stringify(next));
  } catch {
    // Storage disabled: unread marks last as long as the tab.
  }
  for (const listener of listeners) listener();
}

export function useReadMarks(userId: string): Marks {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => read(userId),
  );
}

export function isUnread(lastActivityAt: string | undefined, seenAt: string | undefined): boolean {
  if (!lastActivityAt) return false;
  return seenAt === undefined || Date.parse(lastActivityAt) > Date.parse(seenAt);
}
