// The chat WebSocket protocol (issue 4) as plain data and functions: frame
// types, parsing, what a close code means for reconnection, and the backoff.
// No DOM here: tests/web runs this module under Node.

import type { ChatMessage, UserRef } from '../api/types.js';

export type ServerFrame =
  | { type: 'chat_message'; payload: ChatMessage }
  | { type: 'chat_typing'; payload: { user_id: string; is_typing: boolean } }
  | { type: 'pong' }
  | { type: 'ready'; payload: { last_seq: number | null } }
  | { type: 'message_redacted'; payload: { id: string; thread: string; seq: number } }
  | { type: 'member_joined' | 'member_left' | 'member_removed'; payload: MembershipPayload }
  | { type: 'presence'; payload: { users: UserRef[] } }
  | { type: 'presence_joined' | 'presence_left'; payload: { user: UserRef } }
  | { type: 'error'; payload: { code: string; message?: string; retry_after_ms?: number } };

export interface MembershipPayload {
  thread?: string;
  user_id?: string;
  user?: UserRef;
  role?: string;
  seq?: number;
}

export type ClientFrame = { type: 'ping' } | { type: 'typing'; is_typing: boolean };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Parses one text frame; anything malformed or of an unknown type is `null` (ignored, never thrown). */
export function parseServerFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== 'string') return null;
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(frame) || typeof frame.type !== 'string') return null;
  const payload = isObject(frame.payload) ? frame.payload : {};
  switch (frame.type) {
    case 'pong':
      return { type: 'pong' };
    case 'chat_message':
      return typeof payload.id === 'string' && typeof payload.seq === 'number' && isObject(payload.author)
        ? { type: 'chat_message', payload: payload as unknown as ChatMessage }
        : null;
    case 'chat_typing':
      return typeof payload.user_id === 'string'
        ? { type: 'chat_typing', payload: { user_id: payload.user_id, is_typing: payload.is_typing === true } }
        : null;
    case 'ready':
      return { type: 'ready', payload: { last_seq: typeof payload.last_seq === 'number' ? payload.last_seq : null } };
    case 'message_redacted':
      return typeof payload.id === 'string'
        ? { type: 'message_redacted', payload: payload as { id: string; thread: string; seq: number } }
        : null;
    case 'member_joined':
    case 'member_left':
    case 'member_removed':
      return { type: frame.type, payload: payload as MembershipPayload };
    case 'presence':
      return Array.isArray(payload.users) ? { type: 'presence', payload: { users: payload.users as UserRef[] } } : null;
    case 'presence_joined':
    case 'presence_left':
      return isObject(payload.user) ? { type: frame.type, payload: { user: payload.user as unknown as UserRef } } : null;
    case 'error':
      return {
        type: 'error',
        payload: {
          code: typeof payload.code === 'string' ? payload.code : 'unknown',
          message: typeof payload.message === 'string' ? payload.message : undefined,
          retry_after_ms: typeof payload.retry_after_ms === 'number' ? payload.retry_after_ms : undefined,
        },
      };
    default:
      return null;
  }
}

/** Why a socket closed for good; `null` from `closeOutcome` means "reconnect". */
export type FinalClose = 'unauthorized' | 'forbidden' | 'not_found' | 'normal';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_NOT_FOUND = 4404;
/** Sent by the client itself when the heartbeat finds the connection dead. */
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;

export function closeOutcome(code: number): FinalClose | null {
  switch (code) {
    case CLOSE_UNAUTHORIZED:
      return 'unauthorized';
    case CLOSE_FORBIDDEN:
      return 'forbidden';
    case CLOSE_NOT_FOUND:
      return 'not_found';
    // The server closes with 1000 when the member left the thread: nothing to resume.
    case 1000:
      return 'normal';
    // 1001 (server going away), 1006 (dropped), 1008/1009 (policy), 1011, 1013 (overload), 4000 (heartbeat): try again.
    default:
      return null;
  }
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/**
 * Delay before reconnect attempt `attempt` (1-based): base * 2^(attempt-1), capped,
 * with "equal jitter" (between half and all of it) so many clients dropped by one
 * server restart do not all come back in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** `ws(s)://host/ws/chat/{thread}/?token=…[&after_seq=N]` from the page's own origin. */
export function chatSocketUrl(pageOrigin: string, threadId: string, token: string, afterSeq: number | null): string {
  const url = new URL(`/ws/chat/${encodeURIComponent(threadId)}/`, pageOrigin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  if (afterSeq !== null) url.searchParams.set('after_seq', String(afterSeq));
  return url.toString();
}
