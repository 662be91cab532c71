// Settings that hold a secret: the alert webhook's URL (its path or ?token= is the receiver's
// password). The field is sealed in the stored JSON ({ url: <masked>, url_enc: <sealed> }) and
// opened again on read, so callers see the value they saved.
import { MASK, redactUrl } from '../../core/redact.ts';
import { isSealed, type SecretBox } from '../secrets.ts';

/** Per setting key: the string fields of its JSON object that are sealed. */
export const SEALED_SETTING_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'alerts.webhook': ['url'],
  'youtube.oauth_client': ['client_secret'],
  'website.push_credentials': ['password', 'token'],
};

const SEALED_SUFFIX = '_enc';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value to store: each secret field masked in place, its sealed form beside it. */
export function sealSetting(key: string, value: unknown, secrets: SecretBox): unknown {
  const fields = SEALED_SETTING_FIELDS[key];
  if (!fields || !isObject(value)) return value;
  const out: JsonObject = { ...value };
  for (const field of fields) {
    const clear = value[field];
    if (typeof clear !== 'string' || clear === '') continue;
    // A URL keeps what helps a person find a fault; any other secret is masked whole.
    out[field] = URL.canParse(clear) ? redactUrl(clear) : MASK;
    out[field + SEALED_SUFFIX] = secrets.seal(clear);
  }
  return out;
}

/**
 * The value as saved, each sealed field opened. Without a key (a store opened with no secret box)
 * the masked form is all there is.
 */
export function openSetting(key: string, value: unknown, secrets: SecretBox | undefined): unknown {
  const fields = SEALED_SETTING_FIELDS[key];
  if (!fields || !isObject(value)) return value;
  const sealedNames = new Set(fields.map((field) => field + SEALED_SUFFIX));
  const out: JsonObject = Object.fromEntries(
    Object.entries(value).filter(([name]) => !sealedNames.has(name)),
  );
  for (const field of fields) {
    const sealed = value[field + SEALED_SUFFIX];
    if (typeof sealed === 'string' && secrets) out[field] = secrets.open(sealed);
  }
  return out;
}

/** Whether a stored value still has a secret field in clear text (saved before sealing). */
export function settingNeedsSealing(key: string, value: unknown): boolean {
  const fields = SEALED_SETTING_FIELDS[key];
  if (!fields || !isObject(value)) return false;
  return fields.some((field) => {
    const clear = value[field];
    const sealed = value[field + SEALED_SUFFIX];
    return typeof clear === 'string' && clear !== '' && !(typeof sealed === 'string' && isSealed(sealed));
  });
}
