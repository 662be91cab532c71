// Renders overlays once per change and keeps the result ready for the compositor.
//
// OverlayRenderer holds one entry per overlay cue the engine says it needs (on air now or soon:
// feed it the resolver's lookahead). Each rendered bitmap is keyed by
//   (cue id, hash of the cue's params, the text after override + template expansion)
// and rendered again only when that key changes:
//   - the cue's params change (timeline edit),
//   - the operator edits the text live (setTextOverride: only that cue re-renders),
//   - a dynamic_text with {time}/{date} crosses a minute boundary (one timer for all of them,
//     and only cues whose expanded text actually changed re-render),
//   - a dynamic_text's polled data changes (DataPoller.onChange).
// The compositor reads get(cueId) synchronously every frame; it never waits for a render. When a
// render fails (image missing, bad time zone) the previous bitmap stays on air, the error shows in
// health(), and the same key is retried after RETRY_AFTER_MS on the next sync().
//
// DataPoller fetches a dynamic_text's data_url every poll_interval seconds with an injected fetch
// and Clock through the bounded reader (src/net/bounded-fetch.ts: at most DATA_MAX_BYTES, the
// whole read within the time limit), keeps the last good JSON object on errors, and reports its
// health. Nothing large reaches the event loop: the body is capped before JSON.parse, and the text
// drawn is capped by the renderer (MAX_OVERLAY_TEXT_CHARS).
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { messageOf } from '../../core/message-of.ts';
import { isAppError, type ErrorCode } from '../../errors/registry.ts';
import {
  DATA_MAX_BYTES,
  fetchJsonObject,
  redactUrl,
  type BoundedFetch,
  type BoundedResponse,
} from '../../net/bounded-fetch.ts';
import type { OverlayParams } from '../../timeline/schema.ts';
import {
  renderOverlay,
  resolveText,
  sourceText,
  usesClock,
  type ImageLoader,
  type PictureFitting,
  type RenderContext,
  type RenderedOverlay,
} from './render.ts';
import { sharedPictureFitter } from './picture-fit.ts';
import { matrixForHeight, rgbaToYuva, type YuvaImage, type YuvaPlanes, type YuvMatrix } from './yuva.ts';

/** How long a failed render waits before the same key is tried again. */
export const RETRY_AFTER_MS = 10_000;
/** Largest data_url response accepted. */
export const MAX_DATA_BYTES = DATA_MAX_BYTES;

// ---------------------------------------------------------------------------------------------
// DataPoller

/** What the poller's fetch answers (the global Response fits). */
export type FetchResponseLike = BoundedResponse;

/** The part of the global fetch the poller uses (inject a fake in tests). */
export type FetchLike = BoundedFetch;

export interface DataPollerOptions {
  url: string;
  /** Time between the end of one poll and the start of the next. */
  intervalMs: number;
  fetch: FetchLike;
  clock: Clock;
  /** A poll taking longer fails (and is aborted); default min(10 s, interval). */
  timeoutMs?: number;
  /** Called after a successful poll whose data differs from the previous data. */
  onChange?: (data: Record<string, unknown>) => void;
  logger?: Logger;
}

export interface DataPollerHealth {
  /** The URL without credentials or query string (safe to show and log). */
  url: string;
  /** The last poll succeeded. */
  ok: boolean;
  /** A good value is available (possibly old: see stale). */
  hasData: boolean;
  /** No success for more than 3 intervals (or never, after the first poll ended). */
  stale: boolean;
  polls: number;
  consecutiveFailures: number;
  /** Wall-clock ms of the last success / failure, or null. */
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  /** The registry code of the last error (its remediation is ERRORS[code]), when it has one. */
  lastErrorCode: ErrorCode | null;
}

export { redactUrl };

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class DataPoller {
  private readonly options: DataPollerOptions;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private data: Record<string, unknown> | undefined;
  private dataJson: string | undefined;
  private timer: TimerHandle | null = null;
  private inflight: Promise<void> | null = null;
  private running = false;
  private polls = 0;
  private failures = 0;
  private lastOk = false;
  private lastSuccessAt: number | null = null;
  private lastErrorAt: number | null = null;
  private lastError: string | null = null;
  private lastErrorCode: ErrorCode | null = null;

  constructor(options: DataPollerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be greater than 0');
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? Math.min(10_000, options.intervalMs);
    this.log = options.logger ?? createLogger('overlays.data');
  }

  /** Polls now, then every interval after each poll ends, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  /** The last good data, or undefined before the first success. */
  value(): Record<string, unknown> | undefined {
    return this.data;
  }

  /** A poll is in flight. */
  get busy(): boolean {
    return this.inflight !== null;
  }

  /** Resolves when the poll in flight (if any) has ended. */
  async idle(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  health(): DataPollerHealth {
    const now = this.options.clock.wallNow();
    const staleAfter = 3 * this.options.intervalMs;
    const stale =
      this.lastSuccessAt === null ? this.polls > 0 && !this.inflight : now - this.lastSuccessAt > staleAfter;
    return {
      url: redactUrl(this.options.url),
      ok: this.lastOk,
      hasData: this.data !== undefined,
      stale,
      polls: this.polls,
      consecutiveFailures: this.failures,
      lastSuccessAt: this.lastSuccessAt,
      lastErrorAt: this.lastErrorAt,
      lastError: this.lastError,
      lastErrorCode: this.lastErrorCode,
    };
  }

  /** One poll now (shares a poll already in flight). Never rejects. */
  poll(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.timer?.cancel();
    this.timer = null;
    const run = this.fetchOnce()
      .then(
        (data) => this.succeeded(data),
        (error: unknown) => this.failed(error),
      )
      .finally(() => {
        this.inflight = null;
        if (this.running) {
          this.timer = this.options.clock.setTimeout(() => void this.poll(), this.options.intervalMs);
        }
      });
    this.inflight = run;
    return run;
  }

  private fetchOnce(): Promise<Record<string, unknown>> {
    return fetchJsonObject(this.options.url, {
      timeoutMs: this.timeoutMs,
      clock: this.options.clock,
      fetch: this.options.fetch,
    });
  }

  private succeeded(data: Record<string, unknown>): void {
    this.polls++;
    this.failures = 0;
    this.lastOk = true;
    this.lastSuccessAt = this.options.clock.wallNow();
    const json = stableStringify(data);
    if (json === this.dataJson) return;
    this.data = data;
    this.dataJson = json;
    this.options.onChange?.(data);
  }

  private failed(error: unknown): void {
    this.polls++;
    this.failures++;
    this.lastOk = false;
    this.lastErrorAt = this.options.clock.wallNow();
    this.lastError = messageOf(error);
    this.lastErrorCode = isAppError(error) ? error.code : null;
    this.log.warn(
      {
        url: redactUrl(this.options.url),
        failures: this.failures,
        err: this.lastError,
        ...(isAppError(error) ? { code: error.code } : {}),
      },
      'overlay data poll failed; keeping the last good data',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// OverlayRenderer

/** What the renderer needs to know about a cue (the resolver's NeededOverlay/ActiveOverlay fit). */
export interface OverlayCueRef {
  cueId: string;
  params: OverlayParams;
}

export interface CachedOverlay {
  cueId: string;
  /** (cue id, params hash, text): changes exactly when the bitmap is re-rendered. */
  key: string;
  /** Increases by one each time this cue's bitmap is replaced. */
  version: number;
  rendered: RenderedOverlay;
  /** The compositor's input; null when the overlay lies entirely outside the frame (draw nothing). */
  yuva: YuvaImage | null;
}

export interface OverlayHealth {
  cueId: string;
  ready: boolean;
  error: string | null;
}

export interface OverlayRendererHealth {
  overlays: OverlayHealth[];
  dataSources: DataPollerHealth[];
}

export interface OverlayRendererOptions {
  programWidth: number;
  programHeight: number;
  loadImage: ImageLoader;
  clock: Clock;
  /** For dynamic_text data_url polling; default: the global fetch. */
  fetch?: FetchLike;
  /** IANA zone for {time}/{date}; default: the machine's local zone. */
  timeZone?: string;
  /** Default: matrixForHeight(programHeight) (BT.709 for ≥ 720 lines, BT.601 below). */
  matrix?: YuvMatrix;
  /**
   * Where YUVA images are written (e.g. the compositor kernels' allocYuva, so WASM reads them
   * without a copy); default: a new Uint8Array. The renderer never frees: pass an allocator whose
   * buffers the garbage collector reclaims, or free old ones from onRendered.
   */
  allocYuva?: (width: number, height: number) => Uint8Array;
  /** Called after a cue's bitmap was replaced (e.g. to tell the UI preview). */
  onRendered?: (overlay: CachedOverlay) => void;
  /** Fits large pictures off the main thread; default: the process's shared fitter. */
  fitPicture?: PictureFitting;
  /** Replaces renderOverlay (tests count renders with it). */
  render?: (params: OverlayParams, ctx: RenderContext) => Promise<RenderedOverlay>;
  logger?: Logger;
}

interface Entry {
  params: OverlayParams;
  paramsHash: string;
  override: string | undefined;
  cached: CachedOverlay | undefined;
  inflightKey: string | undefined;
  inflight: Promise<void> | undefined;
  generation: number;
  error: string | null;
  failedKey: string | undefined;
  failedAt: number;
  pollerKey: string | undefined;
}

function withData(planes: YuvaPlanes): { data: Uint8Array; planes: YuvaPlanes } {
  return { data: planes.data, planes };
}

function paramsHash(params: OverlayParams): string {
  return createHash('sha256').update(stableStringify(params)).digest('hex').slice(0, 16);
}

function pollerKeyOf(params: OverlayParams): string | undefined {
  if (params.type !== 'dynamic_text' || params.data_url === undefined) return undefined;
  return `${params.poll_interval}|${params.data_url}`;
}

export class OverlayRenderer {
  private readonly options: OverlayRendererOptions;
  private readonly matrix: YuvMatrix;
  private readonly fetch: FetchLike;
  private readonly render: (params: OverlayParams, ctx: RenderContext) => Promise<RenderedOverlay>;
  private readonly log: Logger;
  private readonly entries = new Map<string, Entry>();
  /** Operator text edits by cue id (live "change the overlay text"). */
  private readonly textOverrides = new Map<string, string>();
  private readonly pollers = new Map<string, DataPoller>();
  private minuteTimer: TimerHandle | null = null;
  private closed = false;
  /** How many renders ran (for tests and metrics). */
  renderCount = 0;

  constructor(options: OverlayRendererOptions) {
    if (options.timeZone !== undefined) {
      // Fail at construction, not at the first dynamic_text: throws RangeError for an unknown zone.
      new Intl.DateTimeFormat('en-US', { timeZone: options.timeZone });
    }
    this.options = options;
    this.matrix = options.matrix ?? matrixForHeight(options.programHeight);
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.render = options.render ?? renderOverlay;
    this.log = options.logger ?? createLogger('overlays');
  }

  /** The current bitmap of a cue (synchronous, for the compositor's tick), if rendered. */
  get(cueId: string): CachedOverlay | undefined {
    return this.entries.get(cueId)?.cached;
  }

  /**
   * Makes the renderer hold exactly these cues: renders new or changed ones, forgets the rest
   * (stopping their data pollers). Resolves when every needed render has finished.
   */
  async sync(cues: readonly OverlayCueRef[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Map(cues.map((cue) => [cue.cueId, cue.params]));
    for (const cueId of [...this.entries.keys()]) {
      if (!wanted.has(cueId)) this.entries.delete(cueId);
    }
    for (const [cueId, params] of wanted) {
      const hash = paramsHash(params);
      const entry = this.entries.get(cueId);
      if (!entry) {
        this.entries.set(cueId, {
          params,
          paramsHash: hash,
          override: this.textOverrides.get(cueId),
          cached: undefined,
          inflightKey: undefined,
          inflight: undefined,
          generation: 0,
          error: null,
          failedKey: undefined,
          failedAt: 0,
          pollerKey: pollerKeyOf(params),
        });
      } else if (entry.paramsHash !== hash) {
        entry.params = params;
        entry.paramsHash = hash;
        entry.pollerKey = pollerKeyOf(params);
      }
    }
    this.updatePollers();
    this.updateMinuteTimer();
    await Promise.all([...wanted.keys()].map((cueId) => this.refresh(cueId)));
  }

  /**
   * An operator's live text edit (null clears it): replaces a text/lower_third's text or a
   * dynamic_text's template. Re-renders that overlay only; resolves when it is ready.
   */
  /** The operator's text for a cue, if it was changed live. */
  textOverride(cueId: string): string | undefined {
    return this.textOverrides.get(cueId);
  }

  async setTextOverride(cueId: string, text: string | null): Promise<void> {
    // Kept for the whole show: a cue that leaves the lookahead and comes back (next loop) keeps it.
    if (text === null) this.textOverrides.delete(cueId);
    else this.textOverrides.set(cueId, text);
    const entry = this.entries.get(cueId);
    if (!entry) return;
    entry.override = text ?? undefined;
    entry.failedKey = undefined;
    this.updateMinuteTimer();
    await this.refresh(cueId);
  }

  health(): OverlayRendererHealth {
    return {
      overlays: [...this.entries].map(([cueId, entry]) => ({
        cueId,
        ready: entry.cached !== undefined,
        error: entry.error,
      })),
      dataSources: [...this.pollers.values()].map((poller) => poller.health()),
    };
  }

  /** Resolves when no render or data poll is in flight (tests: after advancing the fake clock). */
  async idle(): Promise<void> {
    for (let quietTurns = 0; quietTurns < 2;) {
      const pending = [
        ...[...this.pollers.values()].filter((poller) => poller.busy).map((poller) => poller.idle()),
        ...[...this.entries.values()].flatMap((entry) => (entry.inflight ? [entry.inflight] : [])),
      ];
      if (pending.length > 0) {
        quietTurns = 0;
        await Promise.all(pending);
      } else {
        quietTurns++;
        await nextTurn();
      }
    }
  }

  /** Stops pollers and timers and forgets every bitmap. */
  close(): void {
    this.closed = true;
    this.entries.clear();
    this.updatePollers();
    this.minuteTimer?.cancel();
    this.minuteTimer = null;
  }

  private renderContext(entry: Entry): RenderContext {
    const poller = entry.pollerKey === undefined ? undefined : this.pollers.get(entry.pollerKey);
    const data = poller?.value();
    return {
      programWidth: this.options.programWidth,
      programHeight: this.options.programHeight,
      loadImage: this.options.loadImage,
      fitPicture: this.options.fitPicture ?? sharedPictureFitter(this.log),
      now: new Date(this.options.clock.wallNow()),
      ...(this.options.timeZone !== undefined ? { timeZone: this.options.timeZone } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(entry.override !== undefined ? { textOverride: entry.override } : {}),
    };
  }

  /** Renders a cue if its key changed since the bitmap it has (or is rendering). */
  private refresh(cueId: string): Promise<void> {
    const entry = this.entries.get(cueId);
    if (!entry || this.closed) return Promise.resolve();
    const ctx = this.renderContext(entry);
    let text: string | null;
    try {
      text = resolveText(entry.params, ctx);
    } catch (error) {
      this.recordError(cueId, entry, `${cueId}\0${entry.paramsHash}\0(unresolved)`, error);
      return Promise.resolve();
    }
    const key = `${cueId}\0${entry.paramsHash}\0${text ?? ''}`;
    if (entry.cached?.key === key) return Promise.resolve();
    if (entry.inflightKey === key && entry.inflight) return entry.inflight;
    if (entry.failedKey === key && this.options.clock.now() - entry.failedAt < RETRY_AFTER_MS) {
      return Promise.resolve();
    }
    const generation = ++entry.generation;
    const params = entry.params;
    this.renderCount++;
    const run = this.render(params, ctx)
      .then(
        (rendered) => {
          if (this.entries.get(cueId) !== entry || entry.generation !== generation) return;
          const yuva: YuvaImage | null =
            rendered.width === 0 || rendered.height === 0
              ? null
              : {
                  width: rendered.width,
                  height: rendered.height,
                  left: rendered.left,
                  top: rendered.top,
                  matrix: this.matrix,
                  ...withData(
                    rgbaToYuva(
                      rendered.rgba,
                      rendered.width,
                      rendered.height,
                      this.matrix,
                      this.options.allocYuva?.(rendered.width, rendered.height),
                    ),
                  ),
                };
          const cached: CachedOverlay = {
            cueId,
            key,
            version: (entry.cached?.version ?? 0) + 1,
            rendered,
            yuva,
          };
          entry.cached = cached;
          entry.error = null;
          entry.failedKey = undefined;
          this.options.onRendered?.(cached);
        },
        (error: unknown) => {
          if (this.entries.get(cueId) !== entry || entry.generation !== generation) return;
          this.recordError(cueId, entry, key, error);
        },
      )
      .finally(() => {
        if (entry.generation === generation) {
          entry.inflight = undefined;
          entry.inflightKey = undefined;
        }
      });
    entry.inflight = run;
    entry.inflightKey = key;
    return run;
  }

  private recordError(cueId: string, entry: Entry, key: string, error: unknown): void {
    entry.error = messageOf(error);
    entry.failedKey = key;
    entry.failedAt = this.options.clock.now();
    this.log.warn({ cueId, err: entry.error }, 'overlay render failed; keeping the previous bitmap');
  }

  private updatePollers(): void {
    const needed = new Map<string, OverlayParams>();
    for (const entry of this.entries.values()) {
      if (entry.pollerKey !== undefined) needed.set(entry.pollerKey, entry.params);
    }
    for (const [key, poller] of this.pollers) {
      if (!needed.has(key)) {
        poller.stop();
        this.pollers.delete(key);
      }
    }
    for (const [key, params] of needed) {
      if (this.pollers.has(key) || params.type !== 'dynamic_text' || params.data_url === undefined) continue;
      const poller = new DataPoller({
        url: params.data_url,
        intervalMs: params.poll_interval * 1000,
        fetch: this.fetch,
        clock: this.options.clock,
        logger: this.log,
        onChange: () => this.refreshWhere((entry) => entry.pollerKey === key),
      });
      this.pollers.set(key, poller);
      poller.start();
    }
  }

  private refreshWhere(predicate: (entry: Entry) => boolean): void {
    for (const [cueId, entry] of this.entries) {
      if (predicate(entry)) void this.refresh(cueId);
    }
  }

  private dependsOnClock(entry: Entry): boolean {
    if (entry.params.type !== 'dynamic_text') return false;
    return usesClock(sourceText(entry.params, entry.override) ?? '');
  }

  /** One timer, at the next wall-clock minute, while any held cue shows {time} or {date}. */
  private updateMinuteTimer(): void {
    const needed = !this.closed && [...this.entries.values()].some((entry) => this.dependsOnClock(entry));
    if (!needed) {
      this.minuteTimer?.cancel();
      this.minuteTimer = null;
      return;
    }
    if (this.minuteTimer) return;
    const wall = this.options.clock.wallNow();
    const untilNextMinute = 60_000 - (((wall % 60_000) + 60_000) % 60_000);
    this.minuteTimer = this.options.clock.setTimeout(() => {
      this.minuteTimer = null;
      this.refreshWhere((entry) => this.dependsOnClock(entry));
      this.updateMinuteTimer();
    }, untilNextMinute);
  }
}
