import type { RawData } from 'ws';

/**
 * The wire protocol: every frame the server sends, every frame it accepts, and
 * the close codes. docs/protocol.md describes the same thing for clients.
 */

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  overloaded: 1013,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
} as const;

/** Bigger client frames close the socket with 1009 (ws enforces it). */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export interface Author {
  id: string;
  username: string;
  email: string;
}

export interface PresenceUser {
  id: string;
  username: string;
}

export interface ChatMessagePayload {
  id: string;
  thread: string;
  author: Author;
  /** null only for a message redacted before it was delivered (resume catch-up). */
  content: string | null;
  created_at: string;
  seq: number;
  redacted?: true;
}

export type ServerFrame =
  | { type: 'chat_message'; payload: ChatMessagePayload }
  | { type: 'chat_typing'; payload: { user_id: string; is_typing: boolean } }
  | { type: 'pong' }
  | { type: 'member_joined'; payload: { thread: string; user: PresenceUser; role: string; seq: number } }
  | { type: 'member_left'; payload: { thread: string; user: PresenceUser; seq: number } }
  | { type: 'member_removed'; payload: { thread: string; user: PresenceUser; by: string; seq: number } }
  | { type: 'message_redacted'; payload: { id: string; thread: string; redacted_by: string; redacted_at: string; seq: number } }
  | { type: 'ready'; payload: { last_seq: number } }
  | { type: 'presence'; payload: { users: PresenceUser[] } }
  | { type: 'presence_joined'; payload: { user: PresenceUser } }
  | { type: 'presence_left'; payload: { user: PresenceUser } }
  | { type: 'error'; payload: { code: string; message: string; retry_after_ms?: number } };

/**
 * A frame serialized once: the same bytes go to every socket that gets it
 * (ws sends a Buffer as-is, where a string would be re-encoded per socket).
 */
export type EncodedFrame = Buffer;

export const encodeFrame = (frame: ServerFrame): EncodedFrame => Buffer.from(JSON.stringify(frame));

export const PONG = encodeFrame({ type: 'pong' });

export const errorFrame = (code: string, message: string, retryAfterMs?: number): EncodedFrame =>
  encodeFrame({ type: 'error', payload: retryAfterMs === undefined ? { code, message } : { code, message, retry_after_ms: retryAfterMs } });

export type ClientFrame = { type: 'ping' } | { type: 'typing'; isTyping: boolean } | { type: 'invalid'; message: string };

/** Never throws: whatever a client sends becomes a frame or an `invalid` one. */
export function parseClientFrame(data: RawData, isBinary: boolean): ClientFrame {
  if (isBinary) return { type: 'invalid', message: 'frames must be JSON text' };
  let frame: unknown;
  try {
    frame = JSON.parse((Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString());
  } catch {
    return { type: 'invalid', message: 'frame is not valid JSON' };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return { type: 'invalid', message: 'frame must be a JSON object' };
  const { type, is_typing, payload } = frame as { type?: unknown; is_typing?: unknown; payload?: { is_typing?: unknown } | null };
  switch (type) {
    case 'ping':
      return { type: 'ping' };
    case 'typing':
      // The seed's client puts is_typing at the top level; a payload object is accepted too.
      return { type: 'typing', isTyping: Boolean(is_typing ?? (typeof payload === 'object' ? payload?.is_typing : undefined)) };
    default:
      return { type: 'invalid', message: `unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}` };
  }
}
