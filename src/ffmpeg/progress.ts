// Pure parsers for ffmpeg's stderr: line splitting, log-line structure, the periodic stats line
// ("frame= 123 fps= 30 q=23.0 size= 1024kB time=00:00:04.10 bitrate=2046.1kbits/s speed=1.00x"),
// -progress key=value blocks, and classification of error lines into stable kinds.
// Tested on captured real lines in test/fixtures/ffmpeg/stderr/.

// The line splitter is the process layer's one (src/process/lines.ts), shared by every reader of a
// child's text output.
export { StderrLineSplitter } from '../process/lines.ts';

export type LogLevel =
  'quiet' | 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace';

export interface LogLine {
  /** From "-loglevel level+..." ("[error]"), null when the line carries no level tag. */
  level: LogLevel | null;
  /** The "[rtsp @ 0x...]" component name ("rtsp"), null for top-level messages. */
  component: string | null;
  message: string;
}

const LEVELS = new Set<string>([
  'quiet',
  'panic',
  'fatal',
  'error',
  'warning',
  'info',
  'verbose',
  'debug',
  'trace',
]);

/** Splits "[tcp @ 0x55d0] [error] Connection refused" into its parts; any order of the two tags. */
export function parseLogLine(line: string): LogLine {
  let rest = line.trim();
  let level: LogLevel | null = null;
  let component: string | null = null;
  for (let i = 0; i < 2; i++) {
    const m = /^\[([^\]]*)\]\s*/.exec(rest);
    if (!m) break;
    const tag = m[1]!;
    const comp = /^(.+?) @ 0x[0-9a-f]+$/i.exec(tag);
    if (comp && component === null) component = comp[1]!;
    else if (LEVELS.has(tag) && level === null) level = tag as LogLevel;
    else break;
    rest = rest.slice(m[0].length);
  }
  return { level, component, message: rest };
}

export interface FfmpegProgress {
  /** Frames output so far (absent for audio-only outputs). */
  frame?: number;
  fps?: number;
  /** Quantizer of the first video stream (-1 when not encoding). */
  q?: number;
  /** Output bytes so far (from "size=" or the final "Lsize="). */
  sizeBytes?: number;
  /** Output position in seconds (can be negative at start-up with odd timestamps). */
  timeSeconds?: number;
  bitrateKbps?: number;
  /** Processing speed relative to real time (1 = real time). */
  speed?: number;
  dup?: number;
  drop?: number;
  /** True for the final report ("Lsize=" in stats, "progress=end" in -progress). */
  final: boolean;
}

/** "00:01:02.50" or "-00:00:00.04" → seconds; null for N/A or garbage. */
export function parseClock(value: string): number | null {
  const m = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return null;
  const s = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? -s : s;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
};

function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

function finite(value: string): number | undefined {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/**
 * Parses one stats line (with or without a "[info]" tag). Returns null for any other line.
 * Values shown as N/A are left out.
 */
export function parseStatsLine(line: string): FfmpegProgress | null {
  const { message } = parseLogLine(line);
  if (!/^(frame=|size=|Lsize=)/.test(message) || !/\btime=/.test(message)) return null;
  // "key=   value" pairs; values never contain spaces, keys may repeat (q= for each video output).
  const pairs = [...message.matchAll(/([A-Za-z]+)=\s*(\S+)/g)];
  const p: FfmpegProgress = { final: false };
  const set = <K extends keyof FfmpegProgress>(k: K, v: FfmpegProgress[K] | undefined): void => {
    if (v !== undefined) p[k] = v;
  };
  for (const [, key, raw] of pairs) {
    const value = raw!;
    if (value === 'N/A') continue;
    switch (key) {
      case 'frame':
        set('frame', finite(value));
        break;
      case 'fps':
        set('fps', finite(value));
        break;
      case 'q':
        if (p.q === undefined) set('q', finite(value));
        break;
      case 'size':
      case 'Lsize':
        set('sizeBytes', parseSize(value));
        if (key === 'Lsize') p.final = true;
        break;
      case 'time':
        set('timeSeconds', parseClock(value) ?? undefined);
        break;
      case 'bitrate': {
        const m = /^(-?\d+(?:\.\d+)?)kbits\/s$/.exec(value);
        if (m) p.bitrateKbps = Number(m[1]);
        break;
      }
      case 'speed': {
        const m = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x$/.exec(value);
        if (m) p.speed = Number(m[1]);
        break;
      }
      case 'dup':
        set('dup', finite(value));
        break;
      case 'drop':
        set('drop', finite(value));
        break;
    }
  }
  return p;
}

/**
 * Parser for "-progress pipe:N" output: key=value lines, each block ended by "progress=continue"
 * or "progress=end". push() returns the finished block's progress, else null.
 */
export class ProgressBlockParser {
  #block = new Map<string, string>();

  push(line: string): FfmpegProgress | null {
    const eq = line.indexOf('=');
    if (eq <= 0) return null;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.#block.set(key, value);
      return null;
    }
    const b = this.#block;
    this.#block = new Map();
    const p: FfmpegProgress = { final: value === 'end' };
    const num = (k: string): number | undefined => {
      const v = b.get(k);
      return v === undefined || v === 'N/A' ? undefined : finite(v);
    };
    const set = <K extends keyof FfmpegProgress>(k: K, v: FfmpegProgress[K] | undefined): void => {
      if (v !== undefined) p[k] = v;
    };
    set('frame', num('frame'));
    set('fps', num('fps'));
    const qKey = [...b.keys()].find((k) => /^stream_\d+_\d+_q$/.test(k));
    set('q', qKey === undefined ? undefined : num(qKey));
    set('sizeBytes', num('total_size'));
    const outUs = num('out_time_us') ?? num('out_time_ms'); // out_time_ms is microseconds too
    set('timeSeconds', outUs === undefined ? undefined : outUs / 1e6);
    const br = /^(-?\d+(?:\.\d+)?)kbits\/s$/.exec(b.get('bitrate') ?? '');
    set('bitrateKbps', br ? Number(br[1]) : undefined);
    const sp = /^(\d+(?:\.\d+)?)x$/.exec(b.get('speed') ?? '');
    set('speed', sp ? Number(sp[1]) : undefined);
    set('dup', num('dup_frames'));
    set('drop', num('drop_frames'));
    return p;
  }
}

/** Stable kinds of ffmpeg failures, for the supervisor, the error registry and alerts. */
export type FfmpegErrorKind =
  | 'connection_refused'
  | 'host_unreachable'
  | 'dns_failure'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'timeout'
  | 'connection_reset'
  | 'broken_pipe'
  | 'invalid_data'
  | 'no_such_file'
  | 'no_output_stream'
  | 'encoder_unavailable'
  | 'hardware_unavailable'
  | 'protocol_error'
  | 'io_error';

interface Rule {
  kind: FfmpegErrorKind;
  re: RegExp;
}

// Ordered: the first match wins (e.g. "Server returned 401" before the generic I/O error).
const RULES: readonly Rule[] = [
  { kind: 'unauthorized', re: /\b401\b.*unauthori[sz]ed|authorization failed|\bunauthori[sz]ed\b/i },
  { kind: 'forbidden', re: /\b403\b.*forbidden|access denied|\bforbidden\b/i },
  { kind: 'not_found', re: /\b404\b.*not found|Server returned 404|Server returned 4\d\d/i },
  {
    kind: 'dns_failure',
    re: /Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|nodename nor servname/i,
  },
  { kind: 'connection_refused', re: /Connection refused/i },
  { kind: 'host_unreachable', re: /No route to host|Network is unreachable|Host is unreachable/i },
  { kind: 'timeout', re: /timed out/i },
  {
    kind: 'connection_reset',
    re: /Connection reset by peer|End of file.*rtmp|RTMP packet size mismatch|Server error: /i,
  },
  { kind: 'broken_pipe', re: /Broken pipe/i },
  { kind: 'no_such_file', re: /No such file or directory/i },
  { kind: 'no_output_stream', re: /does not contain any stream/i },
  {
    kind: 'encoder_unavailable',
    re: /Unknown encoder|Encoder not found|Unrecognized option '(c:v|vcodec)'|Error while opening encoder/i,
  },
  {
    kind: 'hardware_unavailable',
    re: /Cannot load lib(cuda|nvidia-encode)|No (NVENC|VA display|device)|Could not find a valid device|Failed to (initialise|initialize|create) (VAAPI|a VAAPI|hardware|device)|Device creation failed|Error (initializing|creating) an? (internal )?MFX session|Failed to open V4L2|vaInitialize failed|Cannot open the X display|could not open encoder|VTCompressionSessionCreate|No capable devices found|Unsupported pixel format|Error creating a MFX session/i,
  },
  {
    kind: 'invalid_data',
    re: /Invalid data found when processing input|could not find codec parameters|moov atom not found/i,
  },
  { kind: 'protocol_error', re: /Protocol not found|Cannot read RTMP handshake|Handshake|Invalid argument/i },
  { kind: 'io_error', re: /Input\/output error|Error writing trailer|Conversion failed/i },
];

/**
 * The error kind of one stderr line, or null for lines that are not errors we recognise.
 * Lines tagged info/verbose/debug (the stats line, stream listings) are never errors.
 */
export function classifyErrorLine(line: string): FfmpegErrorKind | null {
  const { level, message } = parseLogLine(line);
  if (level === 'info' || level === 'verbose' || level === 'debug' || level === 'trace') return null;
  if (parseStatsLine(line) !== null) return null;
  for (const rule of RULES) if (rule.re.test(message)) return rule.kind;
  return null;
}

export interface StderrError {
  kind: FfmpegErrorKind;
  line: string;
}

/**
 * The most telling error in a process's stderr: the first line whose kind is more specific than
 * a generic I/O error, else the first error at all. Use when a process exits to report why.
 */
export function summarizeErrors(lines: readonly string[]): StderrError | null {
  let generic: StderrError | null = null;
  for (const line of lines) {
    const kind = classifyErrorLine(line);
    if (kind === null) continue;
    if (kind !== 'io_error' && kind !== 'invalid_data' && kind !== 'protocol_error') return { kind, line };
    generic ??= { kind, line };
  }
  return generic;
}
