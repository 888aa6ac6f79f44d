import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { fetchMe, login as loginRequest, register as registerRequest } from '../api/endpoints.js';
import { configureSession } from '../api/http.js';
import type { Me } from '../api/types.js';
import { loadToken, saveToken } from './storage.js';
import { isExpired, tokenExpiresAt } from './token.js';

export const SESSION_EXPIRED = 'Your session has expired. Please log in again.';

interface Auth {
  token: string | null;
  me: Me | null;
  /** The token is there but /me has not answered yet. */
  loading: boolean;
  /** /me failed for another reason than 401 (server down): the session is kept, the page says so. */
  error: Error | null;
  retry(): void;
  /** Shown on the login page: why the user is there (session expired, logged out). */
  notice: string | null;
  login(username: string, password: string): Promise<void>;
  register(username: string, email: string, password: string): Promise<void>;
  logout(notice?: string): void;
}

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** The signed-in user; only for components rendered behind RequireAuth. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const logoutRef = useRef<(notice?: string) => void>(() => {});
  // The session is configured while the state is created, before any child query runs.
  const [session, setSession] = useState(() => {
    const stored = loadToken();
    const expired = stored !== null && isExpired(stored, Date.now());
    if (expired) saveToken(null);
    const token = expired ? null : stored;
    configureSession(token, () => logoutRef.current(SESSION_EXPIRED));
    return { token, notice: expired ? SESSION_EXPIRED : null };
  });

  const setToken = useCallback(
    (token: string | null, notice: string | null) => {
      saveToken(token);
      configureSession(token, () => logoutRef.current(SESSION_EXPIRED));
      // Nothing cached for one user may show to the next.
      queryClient.clear();
      setSession({ token, notice });
    },
    [queryClient],
  );

  const logout = useCallback((notice?: string) => setToken(null, notice ?? null), [setToken]);
  useEffect(() => {
    logoutRef.current = logout;
  }, [logout]);

  const { token, notice } = session;
  const meQuery = useQuery({ queryKey: ['me', token], queryFn: ({ signal }) => fetchMe(signal), enabled: token !== null, retry: false });

  // Leave when the token runs out, even if the page makes no request then.
  useEffect(() => {
    const expiresAt = token ? tokenExpiresAt(token) : null;
    if (expiresAt === null) return;
    const timer = setTimeout(() => logout(SESSION_EXPIRED), Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [token, logout]);

  const login = useCallback(
    async (username: string, password: string) => {
      const answer = await loginRequest({ username, password });
      setToken(answer.access_token, null);
    },
    [setToken],
  );

  const register = useCallback(
    async (username: string, email: string, password: string) => {
      await registerRequest({ username, email, password });
      await login(username, password);
    },
    [login],
  );

  const value = useMemo<Auth>(
    () => ({
      token,
      me: meQuery.data ?? null,
      loading: token !== null && meQuery.isPending,
      error: meQuery.error,
      retry: () => void meQuery.refetch(),
      notice,
      login,
      register,
      logout,
    }),
    [token, meQuery, notice, login, register, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
