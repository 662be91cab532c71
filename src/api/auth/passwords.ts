// Password hashing with scrypt (Node's crypto, memory-hard). The stored form names its own
// parameters, so they can be raised later without breaking existing accounts.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: N=16384, r=8 needs 16 MiB; the default cap is 32 MiB, leave room for raised parameters.
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { ...options, maxmem: 256 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$key` (salt and key in base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password nobody knows: checking against it makes an unknown user name
 *  take as long as a wrong password, so timing does not reveal which user names exist. */
export const unknownUserHash: Promise<string> = hashPassword(randomBytes(24).toString('base64'));

export const PASSWORD_MIN_LENGTH = 10;

/** Why a new password is refused, or null. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > 200) return 'must be at most 200 characters';
  if (password.trim() === '') return 'must not be only spaces';
  // One key held down (or one character typed over and over) is guessed first.
  if (new Set(password).size === 1) return 'must not be one character repeated';
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the user name';
  return null;
}
