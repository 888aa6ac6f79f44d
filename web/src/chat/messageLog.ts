// What a thread view shows, as a pure reducer: confirmed messages unique by seq
// and in seq order (from history pages, live frames and send confirmations, in
// any order and any number of times), plus this tab's own sends not yet confirmed.

import type { ChatMessage, MessagePage } from '../api/types.js';

export interface PendingMessage {
  clientMessageId: string;
  content: string;
  status: 'sending' | 'failed';
  error: string | null;
}

export interface MessageLog {
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** Older history exists before the first loaded message. */
  hasMore: boolean;
  /** The newest page has been loaded. */
  loaded: boolean;
}

export type MessageLogAction =
  | { type: 'page_loaded'; page: MessagePage }
  | { type: 'received'; message: ChatMessage }
  | { type: 'redacted'; messageId: string }
  | { type: 'send_started'; clientMessageId: string; content: string }
  | { type: 'send_confirmed'; clientMessageId: string; message: ChatMessage }
  | { type: 'send_failed'; clientMessageId: string; error: string }
  | { type: 'send_discarded'; clientMessageId: string };

export const emptyLog: MessageLog = { messages: [], pending: [], hasMore: false, loaded: false };

/** Merges messages by seq; a message once seen redacted stays redacted whatever copy comes later. */
export function mergeBySeq(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const message of current) bySeq.set(message.seq, message);
  for (const message of incoming) {
    const known = bySeq.get(message.seq);
    bySeq.set(message.seq, known?.redacted && !message.redacted ? known : message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function append(current: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const last = current[current.length - 1];
  // The common case, a live message newer than everything shown, without re-sorting.
  if (!last || message.seq > last.seq) return [...current, message];
  return mergeBySeq(current, [message]);
}

export function messageLogReducer(log: MessageLog, action: MessageLogAction): MessageLog {
  switch (action.type) {
    case 'page_loaded': {
      const first = log.messages[0];
      const pageIsOlder = first !== undefined && action.page.results.every((m) => m.seq < first.seq);
      return {
        ...log,
        messages: mergeBySeq(log.messages, action.page.results),
        // Only a page from the top of the history says whether more lies above it.
        hasMore: !log.loaded || pageIsOlder ? action.page.has_more : log.hasMore,
        loaded: true,
      };
    }
    case 'received':
      return { ...log, messages: append(log.messages, action.message) };
    case 'redacted':
      return {
        ...log,
        messages: log.messages.map((m) => (m.id === action.messageId ? { ...m, content: null, redacted: true } : m)),
      };
    case 'send_started': {
      const others = log.pending.filter((p) => p.clientMessageId !== action.clientMessageId);
      const pending: PendingMessage = { clientMessageId: action.clientMessageId, content: action.content, status: 'sending', error: null };
      return { ...log, pending: [...others, pending] };
    }
    case 'send_confirmed':
      return {
        ...log,
        pending: log.pending.filter((p) => p.clientMessageId !== action.clientMessageId),
        messages: append(log.messages, action.message),
      };
    case 'send_failed':
      return {
        ...log,
        pending: log.pending.map((p) =>
          p.clientMessageId === action.clientMessageId ? { ...p, status: 'failed', error: action.error } : p,
        ),
      };
    case 'send_discarded':
      return { ...log, pending: log.pending.filter((p) => p.clientMessageId !== action.clientMessageId) };
  }
}

export const newestSeq = (log: MessageLog): number | null => log.messages[log.messages.length - 1]?.seq ?? null;
export const oldestSeq = (log: MessageLog): number | null => log.messages[0]?.seq ?? null;
