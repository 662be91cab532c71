// Secrets in URLs and free text, masked before anything is logged or shown. One set of rules for
// every caller (logger, API answers, ffmpeg command lines and stderr, pre-flight): a URL keeps
// what helps a person find the fault (scheme, host, port, user name, the RTMP application, query
// names) and loses what would let someone use the account (password, stream key, query values,
// fragment, token-like path segments). Pure: no I/O.

/** What a secret is replaced by. */
export const MASK = '****';

/** Stricter rules for one caller's text. */
export interface RedactOptions {
  /** Values to mask wherever they appear, raw and percent-encoded (a camera's user name and
   *  password); values under 3 characters are left alone, masking them would mangle every word. */
  secrets?: readonly string[];
  /** Drop a URL's user information whole (user name too), not only its password. */
  dropUserinfo?: boolean;
}

/** scheme://hier-part[?query][#fragment], nothing else in the string. */
const WHOLE_URL_RE = /^([a-z][a-z0-9+.-]*):\/\/([^?#\s]*)(\?[^#\s]*)?(#\S*)?$/i;
/** A URL inside free text: up to whitespace, a quote, an angle bracket or a "|" (ffmpeg's tee). */
const URL_IN_TEXT_RE = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>|]+/gi;
/** Punctuation that ends a sentence rather than the URL ("…/live2/KEY: I/O error"). */
const TRAILING_PUNCTUATION_RE = /[:,.;)\]}]+$/;
/** A host[:port] (or [ipv6][:port]) with no user information in it. */
const PLAIN_AUTHORITY_RE = /^(\[[^\]]*\]|[^:@[\]]*)(:\d*)?$/;
/** name=value pairs outside URLs whose value is a secret (ffmpeg options echoed, messages). */
const SECRET_ASSIGNMENT_RE =
  /\b(pass(?:word|phrase)?|passwd|pwd|token|secret|api[_-]?key|stream[_-]?key|access[_-]?token|auth)=([^\s&'",;]+)/gi;
/** Schemes whose path after the application name is the stream key. */
const RTMP_SCHEMES = new Set(['rtmp', 'rtmps', 'rtmpt', 'rtmpe', 'rtmpte', 'rtmpts']);

/**
 * The URL with its secrets masked. Text that is not a URL is returned unchanged, except that any
 * URL inside it is masked too (see redactText).
 *
 * - user:password@ → user:****@; a lone user@ (often a token) → ****@; with dropUserinfo, neither
 * - rtmp(s)://host/app/KEY… → rtmp(s)://host/app/****
 * - every query value → name=****; a bare query item of 8+ characters → ****
 * - a fragment → #****
 * - other schemes: a path segment that looks like a token (20+ characters, letters and digits,
 *   no dot) → ****; plain paths such as /Streaming/Channels/101 or /media/a.mp4 are kept
 */
export function redactUrl(url: string, options: RedactOptions = {}): string {
  const match = WHOLE_URL_RE.exec(url);
  if (!match) return url.includes('://') ? redactText(url, options) : maskSecrets(url, options.secrets);
  const scheme = match[1]!;
  const { userinfo, authority, path } = splitHierPart(match[2]!);
  const query = match[3];
  const fragment = match[4];
  let out = `${scheme}://`;
  if (userinfo !== null && options.dropUserinfo !== true) out += `${redactUserinfo(userinfo)}@`;
  out += authority;
  out += RTMP_SCHEMES.has(scheme.toLowerCase()) ? redactRtmpPath(path) : redactTokenSegments(path);
  if (query !== undefined) out += redactQuery(query);
  if (fragment !== undefined) out += fragment.length > 1 ? `#${MASK}` : fragment;
  return maskSecrets(out, options.secrets);
}

/** Free text (an ffmpeg stderr line, an error message) with every URL and secret=value masked. */
export function redactText(text: string, options: RedactOptions = {}): string {
  const urlsMasked = text.replace(URL_IN_TEXT_RE, (found) => {
    const trail = TRAILING_PUNCTUATION_RE.exec(found)?.[0] ?? '';
    const url = found.slice(0, found.length - trail.length);
    return redactWholeUrl(url, options) + trail;
  });
  const assignmentsMasked = urlsMasked.replace(
    SECRET_ASSIGNMENT_RE,
    (_all, name: string) => `${name}=${MASK}`,
  );
  return maskSecrets(assignmentsMasked, options.secrets);
}

/** A command line with every URL in it masked (tee slaves "[f=flv]rtmp://…|…" included). */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg) => redactText(arg));
}

/** Field names whose value is a secret whatever it looks like. */
const SECRET_FIELD_RE =
  /^(password|passwd|passphrase|secret|token|stream_?key|api_?key|authorization|cookie|set-cookie|csrf_?token|secret_?key)$/i;
const MAX_DEPTH = 12;

/**
 * A copy of a structured value (a parsed log line, an API body) with every string passed
 * through redactText and every field named like a secret replaced by [redacted].
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] =
      SECRET_FIELD_RE.test(key) && item !== null && item !== undefined && item !== ''
        ? '[redacted]'
        : redactValue(item, depth + 1);
  }
  return out;
}

/** Cheap test first: most log lines hold neither a URL nor a secret=value. */
const MAY_HOLD_SECRET_RE =
  /:\/\/|pass(?:word|phrase)?|passwd|pwd|token|secret|api[_-]?key|stream[_-]?key|auth|cookie/i;

/**
 * One serialised JSON log line (as pino writes it, newline included) with its secrets masked.
 * The line is parsed, so a secret is found whether it sits in the message, an error's stack or
 * a nested field, and the output stays valid JSON.
 */
export function redactLogLine(line: string): string {
  if (!MAY_HOLD_SECRET_RE.test(line)) return line;
  const newline = line.endsWith('\n') ? '\n' : '';
  const body = newline ? line.slice(0, -1) : line;
  try {
    return JSON.stringify(redactValue(JSON.parse(body) as unknown)) + newline;
  } catch {
    return redactText(line);
  }
}

function redactWholeUrl(url: string, options: RedactOptions): string {
  return WHOLE_URL_RE.test(url) ? redactUrl(url, { dropUserinfo: options.dropUserinfo ?? false }) : url;
}

/** Every given secret (raw and percent-encoded, 3 characters or more) masked; longest first so a
 *  password containing the user name is masked whole. */
function maskSecrets(text: string, secrets: readonly string[] = []): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
  }
  let out = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) out = out.split(needle).join(MASK);
  return out;
}

interface HierPart {
  userinfo: string | null;
  authority: string;
  path: string;
}

/**
 * Splits "user:pass@host:port/path". A password may hold an unencoded "/" or "@" (people paste
 * them so): when what precedes the first "/" is not a plain host, or has a colon, and an "@"
 * follows, the user information runs to the last "@" (masking too much beats leaking).
 */
function splitHierPart(hier: string): HierPart {
  const firstSlash = hier.indexOf('/');
  const head = firstSlash < 0 ? hier : hier.slice(0, firstSlash);
  let at = head.lastIndexOf('@');
  if (at < 0 && (!PLAIN_AUTHORITY_RE.test(head) || head.includes(':'))) at = hier.lastIndexOf('@');
  if (at < 0) {
    return { userinfo: null, authority: head, path: firstSlash < 0 ? '' : hier.slice(firstSlash) };
  }
  const rest = hier.slice(at + 1);
  const slash = rest.indexOf('/');
  return {
    userinfo: hier.slice(0, at),
    authority: slash < 0 ? rest : rest.slice(0, slash),
    path: slash < 0 ? '' : rest.slice(slash),
  };
}

function redactUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  if (colon < 0) return userinfo === '' ? '' : MASK;
  return `${userinfo.slice(0, colon)}:${MASK}`;
}

/** rtmp://host/app[/instance]/KEY: the key is everything after the first segment. */
function redactRtmpPath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length < 2) return path;
  return `/${segments[0]}/${MASK}`;
}

function redactTokenSegments(path: string): string {
  return path
    .split('/')
    .map((segment) => (looksLikeToken(segment) ? MASK : segment))
    .join('/');
}

function looksLikeToken(segment: string): boolean {
  return segment.length >= 20 && !segment.includes('.') && /[a-z]/i.test(segment) && /\d/.test(segment);
}

function redactQuery(query: string): string {
  if (query === '?') return query;
  const items = query
    .slice(1)
    .split('&')
    .map((item) => {
      const eq = item.indexOf('=');
      if (eq >= 0) return `${item.slice(0, eq)}=${MASK}`;
      return item.length >= 8 ? MASK : item;
    });
  return `?${items.join('&')}`;
}
