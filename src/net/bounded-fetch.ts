// One bounded reader for everything the appliance fetches from an address an operator typed (a
// dynamic_text's data_url, an image by URL): the body is streamed and the read stops past a size
// cap, and one time limit covers the whole read (connect, headers and every byte of the body), not
// only the headers. A 200 MB answer once OOM-killed the appliance; a server that sends one byte a
// second would otherwise hold a request open forever.
//
// Failures are AppErrors from the registry (FETCH_TOO_LARGE, FETCH_TIMEOUT, FETCH_FAILED,
// DATA_INVALID) whose messages never hold the address: callers name it, redacted (redactUrl).
// Time comes from the injected Clock; the fetch is injectable (the global fetch by default).
import type { Clock } from '../core/clock.ts';
import { AppError } from '../errors/registry.ts';
import { messageOf } from '../core/message-of.ts';

/** Largest JSON answer a data_url may give (a template shows a few fields of it). */
export const DATA_MAX_BYTES = 64 * 1024;
/** Largest image fetched by URL (a logo or a full-frame picture is far smaller). */
export const IMAGE_MAX_BYTES = 16 * 1024 * 1024;

/** The part of a fetch Response the reader uses (the global Response fits). */
export interface BoundedResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}

/** The part of the global fetch the reader uses (inject a fake in tests). */
export type BoundedFetch = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<BoundedResponse>;

export interface BoundedReadOptions {
  /** The read fails once the body passes this many bytes. */
  maxBytes: number;
  /** The whole read (connect, headers, body) fails after this long. */
  timeoutMs: number;
  clock: Clock;
  /** Default: the global fetch. */
  fetch?: BoundedFetch;
  /** The Accept header. */
  accept?: string;
}

const globalFetch: BoundedFetch = (url, init) => globalThis.fetch(url, init);

/** "64 kB", "16 MB", "900 bytes" (binary units). */
export function formatLimit(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} kB`;
  return `${bytes} bytes`;
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

export function answerTooLarge(maxBytes: number): AppError {
  return new AppError('FETCH_TOO_LARGE', `the answer is larger than the limit of ${formatLimit(maxBytes)}`);
}

/** Why a fetch failed before any answer, in words (undici hides the cause under "fetch failed"). */
function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return messageOf(error);
}

/**
 * The body of `url`, at most `maxBytes`, read within `timeoutMs`. Rejects with FETCH_TOO_LARGE (a
 * Content-Length over the cap is refused before any byte is read), FETCH_TIMEOUT, or FETCH_FAILED
 * (no connection, an HTTP error status). Whatever stops the read also closes the connection.
 */
export async function fetchBounded(url: string, options: BoundedReadOptions): Promise<Uint8Array> {
  const { maxBytes, timeoutMs, clock } = options;
  const doFetch = options.fetch ?? globalFetch;
  const controller = new AbortController();
  const body: { reader?: ReadableStreamDefaultReader<Uint8Array> } = {};
  let expire!: () => void;
  // Raced against the read, so even a fetch that ignores its signal cannot outlast the limit.
  const deadline = new Promise<never>((_, reject) => {
    expire = () => reject(new AppError('FETCH_TIMEOUT', `no complete answer within ${seconds(timeoutMs)}`));
  });
  const timer = clock.setTimeout(() => {
    expire();
    controller.abort();
  }, timeoutMs);

  const read = async (): Promise<Uint8Array> => {
    let response: BoundedResponse;
    try {
      response = await doFetch(url, {
        signal: controller.signal,
        headers: { accept: options.accept ?? '*/*' },
      });
    } catch (error) {
      throw new AppError('FETCH_FAILED', `could not connect (${networkReason(error)})`, [], { cause: error });
    }
    if (!response.ok) throw new AppError('FETCH_FAILED', `the server answered HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw answerTooLarge(maxBytes);
    if (!response.body) return new Uint8Array(0);
    const reader = response.body.getReader();
    body.reader = reader;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new AppError('FETCH_FAILED', `the answer was cut off (${networkReason(error)})`, [], {
          cause: error,
        });
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > maxBytes) throw answerTooLarge(maxBytes);
      chunks.push(next.value);
    }
    const whole = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return whole;
  };

  const reading = read();
  reading.catch(() => undefined); // after the deadline won, a late failure is not unhandled
  try {
    return await Promise.race([reading, deadline]);
  } finally {
    timer.cancel();
    // Stops a body nobody reads any more (too large, too slow) and frees its connection.
    controller.abort();
    body.reader?.cancel().catch(() => undefined);
  }
}

/**
 * A JSON object from `url` (a dynamic_text's data), its body at most `maxBytes` (default
 * DATA_MAX_BYTES). Rejects as fetchBounded does, and with DATA_INVALID for anything but a JSON
 * object.
 */
export async function fetchJsonObject(
  url: string,
  options: Omit<BoundedReadOptions, 'maxBytes' | 'accept'> & { maxBytes?: number },
): Promise<Record<string, unknown>> {
  const body = await fetchBounded(url, {
    ...options,
    maxBytes: options.maxBytes ?? DATA_MAX_BYTES,
    accept: 'application/json',
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AppError('DATA_INVALID', 'the answer is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('DATA_INVALID', 'the answer is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The URL as safe to show and log: the appliance's one redaction. */
export { redactUrl } from '../core/redact.ts';
