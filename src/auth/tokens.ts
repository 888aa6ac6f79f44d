import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

const ISSUER = 'threadline';
const AUDIENCE = 'threadline-api';
const ALGORITHM = 'HS256';

export interface TokenService {
  issue(userId: string): Promise<{ token: string; expiresIn: number }>;
  /** The user id of a valid token, or null for anything else (bad signature, alg, exp, iss, aud). */
  verify(token: string): Promise<string | null>;
}

export function createTokenService(secretBytes: Uint8Array, ttlSeconds: number): TokenService {
  // Imported once: given raw bytes, jose would import the key again on every sign and verify.
  const secret = createSecretKey(secretBytes);
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
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
        return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : null;
      } catch (error) {
        if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
        throw error;
      }
    },
  };
}
