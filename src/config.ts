// Appliance configuration from the environment and an optional JSON config file, with sane
// defaults (see README "Configuration"). Every setting has an environment variable and a config
// file key; the environment wins over the file. The file is VISTTER_CONFIG, else
// <data folder>/config.json when it exists. Unknown keys and bad values are refused at start-up
// with a message naming the key, never silently replaced.
//
// This is the one module that reads the process environment, and it never writes to it: an entry
// point loads the configuration once (loadConfig) and hands the value down to the logger, the
// store, the API and the shows. One schema (SETTINGS) judges a value whether it comes from the
// file or from a variable's text.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { normalizeHost } from './api/host-guard.ts';
import { parseProxyEntry } from './api/trusted-proxies.ts';
import { DEFAULT_MAX_UPLOAD_BYTES, uploadBytesOf } from './assets/upload-limit.ts';
import { isValidTimeZone } from './core/calendar.ts';
import { LOG_LEVELS, type LogLevel } from './core/logger.ts';
import { recordingLimitsOf, type RecordingLimits } from './recordings/limits.ts';
import { messageOf } from './core/message-of.ts';

const BUILT_WEB_UI = join(fileURLToPath(new URL('..', import.meta.url)), 'web', 'dist');

/** Environment variables by name, as a process has them (or a test hands them in). */
export type Variables = Readonly<Record<string, string | undefined>>;

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
  /** How much the logs say; quiet under NODE_ENV=test unless VISTTER_LOG_LEVEL says otherwise. */
  logLevel: LogLevel;
  /** The key sealing stored secrets (base64 of 32 bytes); null: <dataDir>/secret.key. Never logged. */
  secretKey: string | null;
  /** Largest asset upload, in bytes. */
  maxUploadBytes: number;
  /** Where alerts are POSTed; it wins over the "alerts.webhook" setting. null: that setting. */
  alertWebhookUrl: string | null;
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
  /** Reverse proxies (addresses, CIDRs) whose X-Forwarded-For and X-Forwarded-Host are believed. */
  trustedProxies: string[];
  /** Recordings quota, file length and the free space kept (README "Configuration"). */
  recordings: RecordingLimits;
  /** Google's OAuth 2.0 and YouTube Data API endpoints (tests point them at a local server). */
  youtube: YouTubeEndpoints;
}

/** Where the YouTube Live layer talks to (src/platforms/youtube/). */
export interface YouTubeEndpoints {
  /** Base of /device/code, /token and /revoke. */
  oauthBaseUrl: string;
  /** Base of /liveBroadcasts and /liveStreams. */
  apiBaseUrl: string;
}

/** Google's real endpoints. */
export const GOOGLE_ENDPOINTS: YouTubeEndpoints = {
  oauthBaseUrl: 'https://oauth2.googleapis.com',
  apiBaseUrl: 'https://www.googleapis.com/youtube/v3',
};

export class ConfigError extends Error {}
/** A recording limit refused (a ConfigError: the appliance refuses to start on it). */
export class RecordingLimitsError extends ConfigError {}

// How a variable's text becomes a value for the schema; undefined: the variable counts as unset.
const asText = (text: string): unknown => (text === '' ? undefined : text);
/** An optional number: blank is unset; anything else must read as a number. */
const asNumber = (text: string): unknown => (text.trim() === '' ? undefined : Number(text));
/** A port is never blank: an empty VISTTER_PORT is a mistake, not a default. */
const asPort = (text: string): unknown => (text.trim() === '' ? Number.NaN : Number(text));
/** 1 on, 0 off, blank unset; any other text is kept so the schema refuses it. */
const asFlag = (text: string): unknown =>
  text === '1' ? true : text === '0' ? false : text === '' ? undefined : text;
/** Names separated by commas (or spaces). */
const asList = (text: string): unknown => text.split(/[\s,]+/).filter((name) => name !== '');

const PORT = z.number().int().min(0).max(65535);
const PORT_RULE = 'must be a port number (0–65535)';
const FLAG_IN_ENV = 'must be 1 (on) or 0 (off)';
const HOST_LIST = z
  .union([z.string(), z.array(z.string().min(1))])
  .transform((names) => (Array.isArray(names) ? names : (asList(names) as string[])))
  .superRefine((names, context) => {
    const bad = names.find((name) => normalizeHost(name) === null);
    if (bad !== undefined)
      context.addIssue({
        code: 'custom',
        message: `must be host names or addresses (no scheme, port or path): "${bad}" is not one`,
      });
  });

const PROXY_LIST = z
  .union([z.string(), z.array(z.string().min(1))])
  .transform((entries) => (Array.isArray(entries) ? entries : (asList(entries) as string[])))
  .superRefine((entries, context) => {
    const bad = entries.find((entry) => parseProxyEntry(entry) === null);
    if (bad !== undefined)
      context.addIssue({
        code: 'custom',
        message: `must be addresses or CIDR blocks like 127.0.0.1 or 10.0.0.0/8: "${bad}" is not one`,
      });
  });

/**
 * Every setting: its config file key, environment variable, schema (the one judge of a value,
 * from either source), what a good value is (the refusal's wording) and how the variable's text
 * is read.
 */
const SETTINGS = {
  dataDir: { env: 'VISTTER_DATA_DIR', schema: z.string().min(1), rule: 'must be a folder', read: asText },
  secretKey: {
    env: 'VISTTER_SECRET_KEY',
    schema: z.string().min(1),
    rule: 'must be a base64 key',
    read: asText,
  },
  host: { env: 'VISTTER_HOST', schema: z.string().min(1), rule: 'must be an address', read: asText },
  port: { env: 'VISTTER_PORT', schema: PORT, rule: PORT_RULE, read: asPort },
  secureCookies: {
    env: 'VISTTER_SECURE_COOKIES',
    schema: z.boolean(),
    rule: 'must be true or false',
    envRule: FLAG_IN_ENV,
    read: asFlag,
  },
  maxUploadMb: {
    env: 'VISTTER_MAX_UPLOAD_MB',
    schema: z.number().positive(),
    rule: 'must be a positive number of megabytes',
    read: asNumber,
  },
  logLevel: {
    env: 'VISTTER_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS),
    rule: `must be one of ${LOG_LEVELS.join(', ')}`,
    read: asText,
  },
  alertWebhookUrl: {
    env: 'VISTTER_ALERT_WEBHOOK_URL',
    schema: z.url({ protocol: /^https?$/ }),
    rule: 'must be an http:// or https:// address',
    read: asText,
  },
  timeZone: {
    env: 'VISTTER_TZ',
    schema: z.string().refine(isValidTimeZone, { error: 'must be a time zone name like Europe/London' }),
    rule: 'must be a time zone name like Europe/London',
    read: asText,
  },
  webRoot: { env: 'VISTTER_WEB_ROOT', schema: z.string().min(1), rule: 'must be a folder', read: asText },
  // HTTPS and hosts.
  tls: {
    env: 'VISTTER_TLS',
    schema: z.boolean(),
    rule: 'must be true or false',
    envRule: FLAG_IN_ENV,
    read: asFlag,
  },
  httpsPort: { env: 'VISTTER_HTTPS_PORT', schema: PORT, rule: PORT_RULE, read: asPort },
  tlsCert: { env: 'VISTTER_TLS_CERT', schema: z.string().min(1), rule: 'must be a file', read: asText },
  tlsKey: { env: 'VISTTER_TLS_KEY', schema: z.string().min(1), rule: 'must be a file', read: asText },
  // A list in the file, names separated by commas in the variable.
  allowedHosts: {
    env: 'VISTTER_ALLOWED_HOSTS',
    schema: HOST_LIST,
    rule: 'must be a list of host names',
    read: asText,
  },
  trustedProxies: {
    env: 'VISTTER_TRUSTED_PROXIES',
    schema: PROXY_LIST,
    rule: 'must be a list of addresses or CIDR blocks',
    read: asText,
  },
  // Recordings and disk space (src/recordings/limits.ts has the defaults).
  recordingsQuotaGb: {
    env: 'VISTTER_RECORDINGS_QUOTA_GB',
    schema: z.number().min(0),
    rule: 'must be a number (0 = no limit)',
    read: asNumber,
  },
  recordingsMaxAgeDays: {
    env: 'VISTTER_RECORDINGS_MAX_AGE_DAYS',
    schema: z.number().min(0),
    rule: 'must be a number (0 = no limit)',
    read: asNumber,
  },
  recordingsFileMinutes: {
    env: 'VISTTER_RECORDINGS_FILE_MINUTES',
    schema: z.number().min(1),
    rule: 'must be a number of minutes, at least 1',
    read: asNumber,
  },
  diskReserveMb: {
    env: 'VISTTER_DISK_RESERVE_MB',
    schema: z.number().min(0),
    rule: 'must be a number (0 = no limit)',
    read: asNumber,
  },
  diskWarnMb: {
    env: 'VISTTER_DISK_WARN_MB',
    schema: z.number().min(0),
    rule: 'must be a number (0 = no limit)',
    read: asNumber,
  },
  // YouTube Live (Google's endpoints unless a test or a proxy says otherwise).
  youtubeOauthBaseUrl: {
    env: 'VISTTER_YOUTUBE_OAUTH_URL',
    schema: z.url({ protocol: /^https?$/ }),
    rule: 'must be an http:// or https:// address',
    read: asText,
  },
  youtubeApiBaseUrl: {
    env: 'VISTTER_YOUTUBE_API_URL',
    schema: z.url({ protocol: /^https?$/ }),
    rule: 'must be an http:// or https:// address',
    read: asText,
  },
} as const;
type Key = keyof typeof SETTINGS;
type Settings = { [K in Key]?: z.output<(typeof SETTINGS)[K]['schema']> };
type ErrorClass = new (message: string) => ConfigError;

const RECORDING_KEYS = [
  'recordingsQuotaGb',
  'recordingsMaxAgeDays',
  'recordingsFileMinutes',
  'diskReserveMb',
  'diskWarnMb',
] as const satisfies readonly Key[];

const FileSchema = z.strictObject(
  Object.fromEntries(Object.entries(SETTINGS).map(([key, spec]) => [key, spec.schema.optional()])) as {
    [K in Key]: z.ZodOptional<(typeof SETTINGS)[K]['schema']>;
  },
);

/** Every config file key with its environment variable (README table, tests). */
export const CONFIG_KEYS: ReadonlyArray<{ key: Key; env: string }> = (Object.keys(SETTINGS) as Key[]).map(
  (key) => ({ key, env: SETTINGS[key].env }),
);

/** How the setting of `key` is refused: a refinement's own sentence (it names the bad part). */
function ruleBroken(key: Key, issue: z.core.$ZodIssue | undefined, from: 'file' | 'env'): string {
  if (issue?.code === 'custom') return issue.message;
  const spec: { rule: string; envRule?: string } = SETTINGS[key];
  return from === 'env' ? (spec.envRule ?? spec.rule) : spec.rule;
}

/** A value of the file as its variable's text (so the environment can win, key by key). */
function toVariableText(value: string | number | boolean | readonly string[]): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The config file's settings as environment variables, and which file (none: empty). */
export function readConfigFile(env: Variables): {
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
    throw new ConfigError(`the config file ${path} is not valid JSON (${messageOf(error)})`);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((key) => `unknown key "${key}" (known: ${Object.keys(SETTINGS).join(', ')})`);
      const key = issue.path[0];
      return typeof key === 'string' && key in SETTINGS
        ? [`"${key}" ${ruleBroken(key as Key, issue, 'file')}`]
        : [`"${issue.path.join('.') || '(top level)'}" ${issue.message}`];
    });
    throw new ConfigError(`the config file ${path} is not valid: ${problems.join('; ')}`);
  }
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data) as Array<
    [Key, string | number | boolean | string[] | undefined]
  >)
    if (value !== undefined) vars[SETTINGS[key].env] = toVariableText(value);
  return { path, vars };
}

/** Fills `env` (an object of the caller's, never the process environment) with the config file's
 *  variables it does not set itself: the environment wins. Returns the file read. */
export function applyConfigFile(env: Record<string, string | undefined>): string | null {
  const { path, vars } = readConfigFile(env);
  for (const [name, value] of Object.entries(vars)) if (env[name] === undefined) env[name] = value;
  return path;
}

/** The settings `keys` from variables, each judged by its schema; a bad one is refused naming it. */
function readSettings(vars: Variables, keys: readonly Key[], Refusal: ErrorClass): Settings {
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const { env, schema, read } = SETTINGS[key];
    const text = vars[env];
    if (text === undefined) continue;
    const candidate = read(text);
    if (candidate === undefined) continue;
    const parsed = schema.safeParse(candidate);
    if (!parsed.success)
      throw new Refusal(`${env} ${ruleBroken(key, parsed.error.issues[0], 'env')}, got "${text}"`);
    settings[key] = parsed.data;
  }
  return settings as Settings;
}

function recordingLimits(settings: Settings, dataDir: string, Refusal: ErrorClass): RecordingLimits {
  const { diskReserveMb: reserve, diskWarnMb: warn } = settings;
  if (reserve !== undefined && warn !== undefined && warn < reserve)
    throw new Refusal(
      `${SETTINGS.diskWarnMb.env} (${warn}) must not be below ${SETTINGS.diskReserveMb.env} (${reserve})`,
    );
  return recordingLimitsOf(settings, dataDir);
}

/** The recording limits alone from variables (tools and tests; the appliance has them in
 *  AppConfig.recordings). Throws RecordingLimitsError naming the variable for a bad value. */
export function recordingLimitsFromEnv(vars: Variables): RecordingLimits {
  const settings = readSettings(vars, [...RECORDING_KEYS, 'dataDir'], RecordingLimitsError);
  return recordingLimits(settings, settings.dataDir ?? 'data', RecordingLimitsError);
}

/** The upload limit alone from variables, in bytes (AppConfig.maxUploadBytes in the appliance). */
export function uploadLimitFromEnv(vars: Variables): number {
  const { maxUploadMb } = readSettings(vars, ['maxUploadMb'], ConfigError);
  return maxUploadMb === undefined ? DEFAULT_MAX_UPLOAD_BYTES : uploadBytesOf(maxUploadMb);
}

/**
 * The configuration: the environment over the config file over the defaults. `env` defaults to
 * this process's environment (read here and nowhere else); tests hand in their own.
 */
export function loadConfig(env: Variables = process.env): AppConfig {
  const merged: Record<string, string | undefined> = { ...env };
  const path = applyConfigFile(merged);
  const settings = readSettings(merged, Object.keys(SETTINGS) as Key[], ConfigError);
  const port = settings.port ?? 8080;
  const tls = settings.tls ?? true;
  const httpsPort = settings.httpsPort ?? 8443;
  if (tls && httpsPort !== 0 && httpsPort === port)
    throw new ConfigError(
      `VISTTER_HTTPS_PORT must differ from VISTTER_PORT (the plain HTTP port redirects to it), got "${httpsPort}"`,
    );
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined))
    throw new ConfigError(
      'VISTTER_TLS_CERT and VISTTER_TLS_KEY (tlsCert, tlsKey) go together: set both or neither',
    );
  const dataDir = resolve(settings.dataDir ?? 'data');
  return {
    dataDir,
    host: settings.host ?? '0.0.0.0',
    port,
    secureCookies: settings.secureCookies ?? false,
    webRoot: resolve(settings.webRoot ?? BUILT_WEB_UI),
    timeZone: settings.timeZone ?? null,
    configFile: path,
    logLevel: settings.logLevel ?? (merged['NODE_ENV'] === 'test' ? 'silent' : 'info'),
    secretKey: settings.secretKey ?? null,
    maxUploadBytes:
      settings.maxUploadMb === undefined ? DEFAULT_MAX_UPLOAD_BYTES : uploadBytesOf(settings.maxUploadMb),
    alertWebhookUrl: settings.alertWebhookUrl ?? null,
    tls,
    httpsPort,
    tlsFiles:
      settings.tlsCert !== undefined && settings.tlsKey !== undefined
        ? { cert: resolve(settings.tlsCert), key: resolve(settings.tlsKey) }
        : null,
    allowedHosts: settings.allowedHosts ?? [],
    trustedProxies: settings.trustedProxies ?? [],
    recordings: recordingLimits(settings, dataDir, ConfigError),
    youtube: {
      oauthBaseUrl: (settings.youtubeOauthBaseUrl ?? GOOGLE_ENDPOINTS.oauthBaseUrl).replace(/\/+$/, ''),
      apiBaseUrl: (settings.youtubeApiBaseUrl ?? GOOGLE_ENDPOINTS.apiBaseUrl).replace(/\/+$/, ''),
    },
  };
}
