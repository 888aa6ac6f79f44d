import { concat, distinctUntilChanged, filter, groupBy, map, mergeMap, of, switchMap, timer, type Observable } from 'rxjs';
import type { EphemeralSignal, EventStore } from '../eventstore/eventStore.js';
import { encodeFrame, type EncodedFrame } from './frames.js';

/**
 * Typing indicators travel on the store's ephemeral channel of the thread, so
 * they reach every node but never the log, the read models or the audit.
 */
export const typingChannel = (threadId: string) => `typing-${threadId}`;

export interface TypingItem {
  kind: 'typing';
  userId: string;
  frame: EncodedFrame;
}

interface TypingSignal {
  userId: string;
  isTyping: boolean;
}

export const publishTyping = (store: EventStore, threadId: string, signal: TypingSignal) =>
  store.publishEphemeral(typingChannel(threadId), { user_id: signal.userId, is_typing: signal.isTyping });

function parse(signal: EphemeralSignal): TypingSignal | null {
  const payload = signal.payload as { user_id?: unknown; is_typing?: unknown } | null;
  if (typeof payload?.user_id !== 'string' || typeof payload.is_typing !== 'boolean') return null;
  return { userId: payload.user_id, isTyping: payload.is_typing };
}

/**
 * A thread's typing frames on this node. Expiry happens here, on the receiving
 * side: "typing" turns itself off `timeoutMs` after its last refresh even when
 * the sender's node died without saying so. Repeated "stopped" frames are dropped.
 */
export function typingItems(signals: Observable<EphemeralSignal>, timeoutMs: number): Observable<TypingItem> {
  return signals.pipe(
    map(parse),
    filter((signal): signal is TypingSignal => signal !== null),
    groupBy((signal) => signal.userId),
    mergeMap((byUser) =>
      byUser.pipe(
        switchMap((signal) =>
          signal.isTyping ? concat(of(signal), timer(timeoutMs).pipe(map(() => ({ ...signal, isTyping: false })))) : of(signal),
        ),
        distinctUntilChanged((previous, next) => !previous.isTyping && !next.isTyping),
      ),
    ),
    map(({ userId, isTyping }) => ({
      kind: 'typing' as const,
      userId,
      frame: encodeFrame({ type: 'chat_typing', payload: { user_id: userId, is_typing: isTyping } }),
    })),
  );
}
