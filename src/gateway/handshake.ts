import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { AggregateLoader } from '../commands/aggregates.js';
import type { RegisteredUser } from '../commands/users.js';
import { threadDecider, threadStream, type ActiveThread } from '../domain/thread.js';
import { bearerToken } from '../http/plugins/authenticate.js';
import { CLOSE } from './frames.js';

const SOCKET_PATH = /^\/ws\/chat\/([^/]+)\/?$/;

export interface UpgradeTarget {
  threadId: string;
  /** Raw `after_seq`, validated once the caller is known (a stranger learns nothing from it). */
  afterSeq: string | null;
  token: string | null;
}

/** The thread a socket URL names, or null when the URL is not a chat socket. */
export function upgradeTarget(req: IncomingMessage): UpgradeTarget | null {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const match = SOCKET_PATH.exec(url.pathname);
  if (!match) return null;
  let threadId: string;
  try {
    threadId = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  return { threadId, afterSeq: url.searchParams.get('after_seq'), token: tokenOf(req, url) };
}

/**
 * The token, from the first carrier present: `?token=` (the seed's), the
 * `Sec-WebSocket-Protocol` pair `bearer, <token>` (browsers cannot set
 * headers; URLs leak into logs), or an `Authorization: Bearer` header.
 */
function tokenOf(req: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get('token');
  if (query) return query;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearerAt = protocols.indexOf('bearer');
  if (bearerAt >= 0 && protocols[bearerAt + 1]) return protocols[bearerAt + 1]!;
  return bearerToken(req.headers.authorization);
}

/** The subprotocol the server answers when the token came that way (a browser requires one of its offers back). */
export const chooseProtocol = (protocols: Set<string>): string | false => (protocols.has('bearer') ? 'bearer' : false);

/**
 * Cross-site WebSocket hijacking guard: browsers always send Origin, and only
 * allowed sites (plus this server's own origin) may open a socket with the
 * user's credentials. Non-browser clients send none and are let through.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  return allowedOrigins.includes(origin);
}

/** Answers an upgrade request with a plain HTTP status, before any WebSocket exists. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.writable) {
    const reason = STATUS_CODES[status] ?? 'Error';
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  }
  socket.destroy();
}

export type Admission =
  | { admitted: true; user: RegisteredUser; thread: ActiveThread; revision: number; afterSeq: number | null }
  | { admitted: false; code: number; reason: string };

const refuse = (code: number, reason: string): Admission => ({ admitted: false, code, reason });

/**
 * Who may open the socket, decided against the write model (a member who was
 * removed a moment ago must not get in through a lagging read model).
 */
export async function admit(
  target: UpgradeTarget,
  deps: { userForToken(token: string | null): Promise<RegisteredUser | null>; aggregates: AggregateLoader },
): Promise<Admission> {
  const user = await deps.userForToken(target.token);
  if (!user) return refuse(CLOSE.unauthorized, target.token ? 'invalid or expired token' : 'authentication required');
  const { state, revision } = await deps.aggregates.load(threadStream(target.threadId), threadDecider);
  if (state.status !== 'active') return refuse(CLOSE.notFound, 'no such thread');
  if (!state.members.has(user.userId)) {
    // As over REST, a private thread does not exist for those outside it.
    return state.visibility === 'private' ? refuse(CLOSE.notFound, 'no such thread') : refuse(CLOSE.forbidden, 'not a member of this thread');
  }
  let afterSeq: number | null = null;
  if (target.afterSeq !== null) {
    if (!/^\d{1,15}$/.test(target.afterSeq)) return refuse(CLOSE.policy, 'after_seq must be a non-negative integer');
    afterSeq = Number(target.afterSeq);
  }
  return { admitted: true, user, thread: state, revision, afterSeq };
}
