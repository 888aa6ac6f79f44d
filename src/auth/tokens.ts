import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

const ISSUER = 'threadline';
const AUDIENCE = 'threadline-api';
const ALGORITHM = 'HS256';
const VERIFIED_CACHE_SIZE = 10_000;

export interface TokenService {
  issue(userId: string): Promise<{ token: string; expiresIn: number }>;
  /** The user id of a valid token, or null for anything else (bad signature, alg, exp, iss, aud). */
  verify(token: string): Promise<string | null>;
}

export function createTokenService(secretBytes: Uint8Array, ttlSeconds: number): TokenService {
  // Imported once: given raw bytes, jose would import the key again on every sign and verify.
  const secret = createSecretKey(secretBytes);
  /**
   * Tokens whose signature and claims were checked, until they expire: a client
   * sends the same token with every request, and the HMAC is the costliest part
   * of a post. Bounded, oldest first out.
   */
  const verified = new Map<string, { userId: string; expiresAt: number }>();
  const remember = (token: string, userId: string, expiresAt: number) => {
    verified.set(token, { userId, expiresAt });
    if (verified.size > VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
  };
  return {
    async issue(userId) {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(secret);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > Date.now()) return known.userId;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
        if (typeof payload.sub !== 'string' || payload.sub.length === 0 || typeof payload.exp !== 'number') return null;
        remember(token, payload.sub, payload.exp * 1000);
        return payload.sub;
      } catch (error) {
        if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
        throw error;
      }
    },
  };
}
