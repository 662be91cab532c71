// Appliance configuration from the environment and an optional JSON config file, with sane
// defaults (see README "Configuration"). Every setting has an environment variable and a config
// file key; the environment wins over the file. The file is VISTTER_CONFIG, else
// <data folder>/config.json when it exists. Unknown keys and bad values are refused at start-up
// with a message naming the key, never silently replaced.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RecordingLimitsError, recordingLimitsFromEnv, type RecordingLimits } from './recordings/limits.ts';
import { normalizeHost } from './api/host-guard.ts';
import { isValidTimeZone } from './core/calendar.ts';

const BUILT_WEB_UI = join(fileURLToPath(new URL('..', import.meta.url)), 'web', 'dist');

export interface AppConfig {
  /** Folder for the database, the secret key, assets, recordings and the preview. */
  dataDir: string;
  /** Address the web UI and API listen on: every interface by default, so the venue's network
   *  reaches it; 127.0.0.1 keeps it to this machine. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Session cookies only over HTTPS (set when a TLS proxy fronts the appliance). */
  secureCookies: boolean;
  /** The built web UI (`npm run build:web` writes web/dist). */
  webRoot: string;
  /** The zone schedules are in (VISTTER_TZ); null: the "appliance.timezone" setting, else the system's. */
  timeZone: string | null;
  /** The config file read, if any. */
  configFile: string | null;
  // HTTPS and hosts (README "HTTPS and hosts").
  /** The appliance serves HTTPS itself, and `port` only redirects to it; false: plain HTTP on
   *  `port` only, for a TLS proxy in front. */
  tls: boolean;
  /** The HTTPS port (0 picks a free one). */
  httpsPort: number;
  /** The operator's certificate and key (PEM files); null: the appliance makes its own. */
  tlsFiles: { cert: string; key: string } | null;
  /** Names and addresses requests may name in Host besides the machine's own (a DNS name, a TLS
   *  proxy's name, a forwarded address). */
  allowedHosts: string[];
  /** Recordings quota, file length and the free space kept (README "Configuration"). */
  recordings: RecordingLimits;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Config file key → environment variable, and how a file value becomes the variable's text. */
const KEYS = {
  dataDir: { env: 'VISTTER_DATA_DIR', schema: z.string().min(1) },
  secretKey: { env: 'VISTTER_SECRET_KEY', schema: z.string().min(1) },
  host: { env: 'VISTTER_HOST', schema: z.string().min(1) },
  port: { env: 'VISTTER_PORT', schema: z.number().int().min(0).max(65535) },
  secureCookies: { env: 'VISTTER_SECURE_COOKIES', schema: z.boolean() },
  maxUploadMb: { env: 'VISTTER_MAX_UPLOAD_MB', schema: z.number().positive() },
  logLevel: { env: 'VISTTER_LOG_LEVEL', schema: z.enum(LOG_LEVELS) },
  alertWebhookUrl: { env: 'VISTTER_ALERT_WEBHOOK_URL', schema: z.url({ protocol: /^https?$/ }) },
  timeZone: {
    env: 'VISTTER_TZ',
    schema: z.string().refine(isValidTimeZone, { error: 'must be a time zone name like Europe/London' }),
  },
  webRoot: { env: 'VISTTER_WEB_ROOT', schema: z.string().min(1) },
  // HTTPS and hosts.
  tls: { env: 'VISTTER_TLS', schema: z.boolean() },
  httpsPort: { env: 'VISTTER_HTTPS_PORT', schema: z.number().int().min(0).max(65535) },
  tlsCert: { env: 'VISTTER_TLS_CERT', schema: z.string().min(1) },
  tlsKey: { env: 'VISTTER_TLS_KEY', schema: z.string().min(1) },
  allowedHosts: {
    env: 'VISTTER_ALLOWED_HOSTS',
    // A list in the file, names separated by commas in the variable.
    schema: z
      .union([z.string(), z.array(z.string().min(1))])
      .transform((names) => (Array.isArray(names) ? names.join(',') : names)),
  },
  // Recordings and disk space (src/recordings/limits.ts has the defaults).
  recordingsQuotaGb: { env: 'VISTTER_RECORDINGS_QUOTA_GB', schema: z.number().min(0) },
  recordingsMaxAgeDays: { env: 'VISTTER_RECORDINGS_MAX_AGE_DAYS', schema: z.number().min(0) },
  recordingsFileMinutes: { env: 'VISTTER_RECORDINGS_FILE_MINUTES', schema: z.number().min(1) },
  diskReserveMb: { env: 'VISTTER_DISK_RESERVE_MB', schema: z.number().min(0) },
  diskWarnMb: { env: 'VISTTER_DISK_WARN_MB', schema: z.number().min(0) },
} as const;
type Key = keyof typeof KEYS;

const FileSchema = z.strictObject(
  Object.fromEntries(Object.entries(KEYS).map(([key, spec]) => [key, spec.schema.optional()])) as {
    [K in Key]: z.ZodOptional<(typeof KEYS)[K]['schema']>;
  },
);

/** Every config file key with its environment variable (README table, tests). */
export const CONFIG_KEYS: ReadonlyArray<{ key: Key; env: string }> = (Object.keys(KEYS) as Key[]).map(
  (key) => ({ key, env: KEYS[key].env }),
);

function toEnvText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** The config file's settings as environment variables, and which file (none: empty). */
export function readConfigFile(env: NodeJS.ProcessEnv): {
  path: string | null;
  vars: Record<string, string>;
} {
  const named = env['VISTTER_CONFIG'];
  const path = named ? resolve(named) : join(resolve(env['VISTTER_DATA_DIR'] ?? 'data'), 'config.json');
  if (!existsSync(path)) {
    if (named) throw new ConfigError(`VISTTER_CONFIG names ${path}, which does not exist`);
    return { path: null, vars: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `the config file ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`)
        : [`"${issue.path.join('.') || '(top level)'}" ${issue.message}`],
    );
    throw new ConfigError(`the config file ${path} is not valid: ${problems.join('; ')}`);
  }
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data) as Array<
    [Key, string | number | boolean | undefined]
  >)
    if (value !== undefined) vars[KEYS[key].env] = toEnvText(value);
  return { path, vars };
}

/** Fills the environment from the config file for every variable not set (the environment wins),
 *  so every module reading its variable sees the file's value. Returns the file read. */
export function applyConfigFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const { path, vars } = readConfigFile(env);
  for (const [name, value] of Object.entries(vars)) if (env[name] === undefined) env[name] = value;
  return path;
}

function checkEnv(env: NodeJS.ProcessEnv): void {
  const bad = (name: string, what: string) => new ConfigError(`${name} ${what}, got "${env[name]}"`);
  const level = env['VISTTER_LOG_LEVEL'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw bad('VISTTER_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const cookies = env['VISTTER_SECURE_COOKIES'];
  if (cookies !== undefined && !['', '0', '1'].includes(cookies))
    throw bad('VISTTER_SECURE_COOKIES', 'must be 1 (on) or 0 (off)');
  const upload = env['VISTTER_MAX_UPLOAD_MB'];
  if (upload !== undefined && upload.trim() !== '' && !(Number(upload) > 0))
    throw bad('VISTTER_MAX_UPLOAD_MB', 'must be a positive number of megabytes');
  const zone = env['VISTTER_TZ'];
  if (zone !== undefined && zone !== '' && !isValidTimeZone(zone))
    throw bad('VISTTER_TZ', 'must be a time zone name like Europe/London');
  const tls = env['VISTTER_TLS'];
  if (tls !== undefined && !['', '0', '1'].includes(tls))
    throw bad('VISTTER_TLS', 'must be 1 (on) or 0 (off)');
  const httpsPort = env['VISTTER_HTTPS_PORT'];
  if (httpsPort !== undefined && !isPortNumber(httpsPort))
    throw bad('VISTTER_HTTPS_PORT', 'must be a port number (0–65535)');
  const httpsOn = Number(httpsPort || 8443);
  if (tls !== '0' && httpsOn !== 0 && httpsOn === Number(env['VISTTER_PORT'] || 8080))
    throw bad('VISTTER_HTTPS_PORT', 'must differ from VISTTER_PORT (the plain HTTP port redirects to it)');
  if (Boolean(env['VISTTER_TLS_CERT']) !== Boolean(env['VISTTER_TLS_KEY']))
    throw new ConfigError(
      'VISTTER_TLS_CERT and VISTTER_TLS_KEY (tlsCert, tlsKey) go together: set both or neither',
    );
  for (const name of hostList(env['VISTTER_ALLOWED_HOSTS']))
    if (normalizeHost(name) === null)
      throw bad(
        'VISTTER_ALLOWED_HOSTS',
        `must be host names or addresses (no scheme, port or path): "${name}" is not one`,
      );
  const webhook = env['VISTTER_ALERT_WEBHOOK_URL'];
  if (webhook !== undefined && webhook !== '' && !/^https?:\/\//.test(webhook))
    throw bad('VISTTER_ALERT_WEBHOOK_URL', 'must be an http:// or https:// address');
}

function recordingLimits(env: NodeJS.ProcessEnv): RecordingLimits {
  try {
    return recordingLimitsFromEnv(env);
  } catch (error) {
    if (error instanceof RecordingLimitsError) throw new ConfigError(error.message);
    throw error;
  }
}

function isPortNumber(text: string): boolean {
  const port = Number(text);
  return text.trim() !== '' && Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** allowedHosts: names separated by commas (or spaces). */
function hostList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((name) => name !== '');
}

/** The configuration: the environment over the config file over the defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const { path, vars } = readConfigFile(env);
  const merged: NodeJS.ProcessEnv = { ...vars };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  checkEnv(merged);
  const port = Number(merged['VISTTER_PORT'] ?? 8080);
  if (merged['VISTTER_PORT']?.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`VISTTER_PORT must be a port number (0–65535), got "${merged['VISTTER_PORT']}"`);
  const zone = merged['VISTTER_TZ'];
  return {
    dataDir: resolve(merged['VISTTER_DATA_DIR'] ?? 'data'),
    host: merged['VISTTER_HOST'] ?? '0.0.0.0',
    port,
    secureCookies: merged['VISTTER_SECURE_COOKIES'] === '1',
    webRoot: resolve(merged['VISTTER_WEB_ROOT'] ?? BUILT_WEB_UI),
    timeZone: zone ? zone : null,
    configFile: path,
    tls: merged['VISTTER_TLS'] !== '0',
    httpsPort: Number(merged['VISTTER_HTTPS_PORT'] || 8443),
    tlsFiles:
      merged['VISTTER_TLS_CERT'] && merged['VISTTER_TLS_KEY']
        ? { cert: resolve(merged['VISTTER_TLS_CERT']), key: resolve(merged['VISTTER_TLS_KEY']) }
        : null,
    allowedHosts: hostList(merged['VISTTER_ALLOWED_HOSTS']),
    recordings: recordingLimits(merged),
  };
}
