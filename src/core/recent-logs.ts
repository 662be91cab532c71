// The appliance's recent log lines, kept in memory for the Log page (a bounded ring). Writing a
// line only stores the string the logger already made (redacted); it is parsed when someone reads
// the page, so keeping lines costs the logger next to nothing.

/** pino's numeric levels, and the names the Log page filters by. */
export const LOG_LINE_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLineLevel = (typeof LOG_LINE_LEVELS)[number];
const LEVEL_NUMBER: Record<LogLineLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export function levelName(level: number): LogLineLevel {
  let name: LogLineLevel = 'trace';
  for (const candidate of LOG_LINE_LEVELS) if (level >= LEVEL_NUMBER[candidate]) name = candidate;
  return name;
}

/** One line as the Log page shows it. */
export interface LogLine {
  /** Its position in everything written since the start (increases by one per line). */
  seq: number;
  /** ISO time. */
  time: string;
  level: LogLineLevel;
  /** The part of the appliance that wrote it ("engine", "shows", "api"…); "" when none. */
  component: string;
  message: string;
  /** The line's other fields as "key=value", in the order written (no app/pid/hostname). */
  details: string;
}

export interface LogQuery {
  /** This level and worse. */
  level?: LogLineLevel | undefined;
  /** Case-insensitive text anywhere in the component, message or details. */
  text?: string | undefined;
  /** Exactly this component. */
  component?: string | undefined;
  /** At most this many lines (newest first). */
  limit?: number | undefined;
}

export interface LogAnswer {
  /** Newest first. */
  lines: LogLine[];
  /** Components present in the ring, sorted (for the page's component filter). */
  components: string[];
  /** Lines kept now and at most. */
  kept: number;
  capacity: number;
}

/** Fields every line carries that tell a person nothing on this page. */
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'component', 'app', 'pid', 'hostname', 'v']);

function detailValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** A written JSON line → what the page shows (null: not a JSON object, e.g. a stray write). */
export function parseLogLine(raw: string, seq: number): LogLine | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  const details: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (!HIDDEN_FIELDS.has(key)) details.push(`${key}=${detailValue(value)}`);
  }
  const time = typeof fields['time'] === 'number' ? new Date(fields['time']).toISOString() : '';
  return {
    seq,
    time,
    level: levelName(typeof fields['level'] === 'number' ? fields['level'] : 30),
    component: typeof fields['component'] === 'string' ? fields['component'] : '',
    message: typeof fields['msg'] === 'string' ? fields['msg'] : '',
    details: details.join(' '),
  };
}

function matches(line: LogLine, query: LogQuery, text: string | null): boolean {
  if (query.level && LEVEL_NUMBER[line.level] < LEVEL_NUMBER[query.level]) return false;
  if (query.component && line.component !== query.component) return false;
  if (text !== null) {
    const haystack = `${line.component} ${line.message} ${line.details}`.toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  return true;
}

export const DEFAULT_RECENT_LINES = 2000;

export class RecentLogLines {
  readonly capacity: number;
  private readonly slots: (string | undefined)[];
  /** Lines written since the start; the newest is at (written - 1) % capacity. */
  private written = 0;

  constructor(capacity = DEFAULT_RECENT_LINES) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<string | undefined>(capacity);
  }

  /** Keeps one written line (the oldest goes once the ring is full). */
  push(line: string): void {
    this.slots[this.written % this.capacity] = line;
    this.written++;
  }

  get size(): number {
    return Math.min(this.written, this.capacity);
  }

  /** The lines that match, newest first. */
  query(query: LogQuery = {}): LogAnswer {
    const text = query.text?.trim() ? query.text.trim().toLowerCase() : null;
    const limit = query.limit ?? this.capacity;
    const lines: LogLine[] = [];
    const components = new Set<string>();
    for (let seq = this.written - 1; seq >= this.written - this.size; seq--) {
      const line = parseLogLine(this.slots[seq % this.capacity] ?? '', seq);
      if (!line) continue;
      if (line.component) components.add(line.component);
      if (lines.length < limit && matches(line, query, text)) lines.push(line);
    }
    return { lines, components: [...components].sort(), kept: this.size, capacity: this.capacity };
  }

  clear(): void {
    this.slots.fill(undefined);
    this.written = 0;
  }
}
