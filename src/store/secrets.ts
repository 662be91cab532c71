// Secrets at rest (camera passwords, stream keys, server URLs that carry a key or a passphrase,
// the alert webhook URL): AES-256-GCM with a key from VISTTER_SECRET_KEY or a key file created
// in the data folder on first use (mode 0600).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '../core/redact.ts';
import { AppError } from '../errors/registry.ts';

const PREFIX = 'v1';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32)
    throw new AppError('SECRET_KEY_INVALID', `the secret key is ${key.length} bytes; it must be 32`);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        PREFIX,
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        body.toString('base64'),
      ].join(':');
    },
    open(sealed) {
      const [prefix, iv, tag, body] = sealed.split(':');
      if (prefix !== PREFIX || !iv || !tag || body === undefined) {
        throw new AppError('SECRET_UNREADABLE', 'a stored secret is not in a known format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch (error) {
        throw new AppError('SECRET_UNREADABLE', 'a stored secret could not be decrypted with this key', [], {
          cause: error,
        });
      }
    },
  };
}

/** The VISTTER_SECRET_KEY setting as the configuration hands it over (AppConfig.secretKey). */
export interface SecretKeySetting {
  readonly VISTTER_SECRET_KEY?: string | null | undefined;
}

/** The configured key (base64), else `<dataDir>/secret.key`, created if missing. */
export function loadSecretKey(dataDir: string, configured: SecretKeySetting = {}): Buffer {
  const fromConfig = configured.VISTTER_SECRET_KEY;
  if (fromConfig) {
    const key = Buffer.from(fromConfig, 'base64');
    if (key.length !== 32)
      throw new AppError('SECRET_KEY_INVALID', 'VISTTER_SECRET_KEY is not 32 bytes of base64');
    return key;
  }
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } else if ((statSync(file).mode & 0o077) !== 0) {
    // A key file copied in by hand (or made before this rule) is made private before it is read.
    try {
      chmodSync(file, 0o600);
    } catch {
      // Not this user's file (read-only here): it stays as its owner left it.
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new AppError('SECRET_KEY_INVALID', `${file} does not hold a 32-byte base64 key`);
  return key;
}

/** What the API shows for a secret: never the value, at most its last 4 characters. */
export function maskSecret(value: string | null): string | null {
  if (value === null || value === '') return null;
  return value.length >= 12 ? `••••••••${value.slice(-4)}` : '••••••••';
}

/** Whether a URL carries something the API and the logs must not show (see redactUrl). */
export function urlHoldsSecret(url: string): boolean {
  return redactUrl(url) !== url;
}

/** Whether a stored value is a sealed secret (as opposed to clear text from before it was sealed). */
export function isSealed(value: string): boolean {
  const parts = value.split(':');
  return parts.length === 4 && parts[0] === PREFIX;
}
