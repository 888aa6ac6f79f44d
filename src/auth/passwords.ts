import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt at OWASP's parameters by default (N=2^17, r=8, p=1), through Node's
 * async API so hashing runs on the libuv pool, not the event loop.
 * Stored as `scrypt$<logN>$<r>$<p>$<salt>$<hash>` so the parameters can change later.
 */
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const memoryFor = (logN: number, r: number, p: number) => 128 * 2 ** logN * r * p + 32 * 1024 * 1024;

export async function hashPassword(password: string, logN = 17): Promise<string> {
  const r = 8;
  const p = 1;
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: 2 ** logN, r, p, maxmem: memoryFor(logN, r, p) });
  return ['scrypt', logN, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !logN || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const options = { N: 2 ** Number(logN), r: Number(r), p: Number(p), maxmem: memoryFor(Number(logN), Number(r), Number(p)) };
  const actual = await derive(password, Buffer.from(salt, 'base64'), options);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so unknown users and wrong passwords look alike. */
export async function verifyAgainstDummy(password: string, logN: number): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password', logN);
  await verifyPassword(password, await dummyHash);
  return false;
}
