import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { isExpired, tokenExpiresAt } from '../../web/src/auth/token.js';

const secret = new TextEncoder().encode('a-test-secret-that-is-32-bytes-long!');

describe('token expiry', () => {
  it('reads exp from a real HS256 JWT', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await new SignJWT({ sub: 'u1', name: 'ünïcödé ✓' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(secret);
    expect(tokenExpiresAt(token)).toBe(exp * 1000);
    expect(isExpired(token, Date.now())).toBe(false);
    expect(isExpired(token, (exp + 1) * 1000)).toBe(true);
  });

  it('knows nothing about tokens without exp or that are not JWTs', async () => {
    const noExp = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    expect(tokenExpiresAt(noExp)).toBeNull();
    expect(tokenExpiresAt('garbage')).toBeNull();
    expect(tokenExpiresAt('a.!!!.c')).toBeNull();
    expect(isExpired('garbage', Date.now())).toBe(false);
  });
});
