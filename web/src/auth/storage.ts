// The token survives reloads in localStorage; everything else is fetched again.
const TOKEN_KEY = 'threadline.token';

export function loadToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(TOKEN_KEY);
    else localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled (private mode): the session lasts as long as the tab.
  }
}
