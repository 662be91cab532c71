// The one line splitter for what children write as text: ffmpeg's stderr (log lines end in "\n",
// its stats line in "\r" as it overwrites the terminal line) and its -progress blocks.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Splits a text stream into lines on "\n", "\r\n" and "\r". Feed it text chunks as they arrive. */
export class StderrLineSplitter {
  #rest = '';
  /** Longest partial line kept; a runaway line without terminator is cut at this length. */
  constructor(private readonly maxLineLength = 16 * 1024) {}

  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const parts = text.split(/\r\n|\r|\n/);
    this.#rest = parts.pop() ?? '';
    if (this.#rest.length > this.maxLineLength) {
      parts.push(this.#rest.slice(0, this.maxLineLength));
      this.#rest = '';
    }
    return parts.map((l) => l.trimEnd()).filter((l) => l !== '');
  }

  /** The last unterminated line, if any (call when the stream ends). */
  flush(): string[] {
    const rest = this.#rest.trimEnd();
    this.#rest = '';
    return rest === '' ? [] : [rest];
  }
}

/**
 * Calls onLine for every non-empty line of a byte stream, the unterminated last one included
 * when the stream ends. UTF-8 characters split across chunks are kept whole.
 */
export function readLines(stream: Readable, onLine: (line: string) => void, maxLineLength?: number): void {
  const decoder = new StringDecoder('utf8');
  const lines = new StderrLineSplitter(maxLineLength);
  stream.on('data', (chunk: Buffer | string) => {
    for (const line of lines.push(typeof chunk === 'string' ? chunk : decoder.write(chunk))) onLine(line);
  });
  stream.on('end', () => {
    for (const line of [...lines.push(decoder.end()), ...lines.flush()]) onLine(line);
  });
}
