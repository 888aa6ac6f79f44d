// fetch with the session's Bearer token and the API's JSON error shape
// `{error: {code, message}}` turned into ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Session {
  token: string | null;
  /** Called when a request that carried a token is answered 401: the session is over. */
  onUnauthorized: () => void;
}

const session: Session = { token: null, onUnauthorized: () => {} };

export function configureSession(token: string | null, onUnauthorized: () => void): void {
  session.token = token;
  session.onUnauthorized = onUnauthorized;
}

/**
 * Read-your-writes: the highest log position a command from this tab was
 * answered with. Queries pass it as `min_position`, so the server answers once
 * its read models include that write (a review no longer pending, a thread
 * just created found, a join seen) instead of from a projection a moment behind.
 */
let lastWritePosition = 0;

export const minPosition = (): number | undefined => (lastWritePosition > 0 ? lastWritePosition : undefined);

function notePosition(body: unknown): void {
  if (typeof body === 'object' && body !== null && 'position' in body && typeof body.position === 'number') {
    lastWritePosition = Math.max(lastWritePosition, body.position);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText || `Request failed (${response.status})`;
  try {
    const body: unknown = await response.json();
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : null;
    if (typeof error === 'object' && error !== null) {
      if ('code' in error && typeof error.code === 'string') code = error.code;
      if ('message' in error && typeof error.message === 'string') message = error.message;
    }
  } catch {
    // Not JSON (a proxy error page): keep the status text.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, code, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // Only a token the server no longer accepts ends the session; a wrong password at login does not.
    if (response.status === 401 && token && token === session.token) session.onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const answer: unknown = await response.json();
  if (method !== 'GET') notePosition(answer);
  return answer as T;
}
