import { SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const register = (payload: object) => t.request({ method: 'POST', url: '/api/auth/register', payload });
const login = (payload: object) => t.request({ method: 'POST', url: '/api/auth/login', payload });

describe('POST /api/auth/register', () => {
  it('creates a user and answers 201 with id, username and email only', async () => {
    const res = await register({ username: 'Alice_1', email: 'alice1@example.com', password: 'secret-password' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ username: 'Alice_1', email: 'alice1@example.com' });
    expect(typeof body.id).toBe('string');
    expect(body).not.toHaveProperty('password');
    expect(body).not.toHaveProperty('passwordHash');
  });

  it('answers 409 for a username taken in any letter case', async () => {
    await register({ username: 'bob_case', email: 'b1@example.com', password: 'secret-password' });
    const res = await register({ username: 'BOB_CASE', email: 'b2@example.com', password: 'secret-password' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('username_taken');
  });

  it.each([
    ['a too short username', { username: 'ab', email: 'x@example.com', password: 'secret-password' }, 'invalid_username'],
    ['a username with spaces', { username: 'has space', email: 'x@example.com', password: 'secret-password' }, 'invalid_username'],
    ['an invalid email', { username: 'valid_name', email: 'not-an-email', password: 'secret-password' }, 'invalid_email'],
    ['a short password', { username: 'valid_name2', email: 'x@example.com', password: 'short' }, 'invalid_password'],
  ])('answers 400 for %s', async (_label, payload, code) => {
    const res = await register(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers 400 with a JSON error for a missing field', async () => {
    const res = await register({ username: 'nofields' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });
});

describe('POST /api/auth/login', () => {
  beforeAll(async () => {
    await register({ username: 'carol', email: 'carol@example.com', password: 'carol-password' });
  });

  it('returns a Bearer token with its lifetime', async () => {
    const res = await login({ username: 'carol', password: 'carol-password' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.access_token.split('.')).toHaveLength(3);
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const wrong = await login({ username: 'carol', password: 'not-her-password' });
    const unknown = await login({ username: 'nobody_here', password: 'carol-password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });
});

describe('GET /api/auth/me', () => {
  it('answers the caller with their global role', async () => {
    const user = await t.user();
    const res = await t.request({ method: 'GET', url: '/api/auth/me', as: user });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: user.id, username: user.username, email: user.email, role: 'member' });
  });

  it('answers 401 without a token, with a malformed one, and with a tampered one', async () => {
    const user = await t.user();
    const tampered = `${user.token.slice(0, -2)}xx`;
    for (const authorization of [undefined, 'Bearer nonsense', `Bearer ${tampered}`, `Basic ${user.token}`]) {
      const res = await t.request({ method: 'GET', url: '/api/auth/me', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });

  const secret = () => new TextEncoder().encode(readFileSync(join(t.dataDir, 'jwt-secret'), 'utf8').trim());
  const sign = (claims: { sub: string; exp?: number; iss?: string; aud?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(claims.iss ?? 'threadline')
      .setAudience(claims.aud ?? 'threadline-api')
      .setExpirationTime(claims.exp ?? '1h')
      .sign(secret());

  it('rejects a correctly signed token for a user that does not exist', async () => {
    const token = await sign({ sub: crypto.randomUUID() });
    const res = await t.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
  });

  it('rejects expired tokens and tokens for another issuer or audience', async () => {
    const user = await t.user();
    const tokens = [
      await sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) - 10 }),
      await sign({ sub: user.id, iss: 'someone-else' }),
      await sign({ sub: user.id, aud: 'another-api' }),
    ];
    for (const token of tokens) {
      const res = await t.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
    }
    const valid = await sign({ sub: user.id });
    const ok = await t.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${valid}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const user = await t.user();
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, iss: 'threadline', aud: 'threadline-api', exp })}.`;
    const res = await t.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
  });
});
