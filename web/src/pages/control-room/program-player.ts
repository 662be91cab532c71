// The low-latency program preview in the browser: the appliance's /api/preview/program WebSocket
// (the program as FLV, straight from the fan-out) played with Media Source Extensions by mpegts.js
// (Apache-2.0), tuned for live: no stash buffer, and the playhead chases the live edge.
//
// The socket is ours, not the library's (a custom loader): so the stream passes FlvContinuity
// first (time never goes backwards across an encoder restart), the appliance's clock messages
// give the delay behind the output (FanoutClock), and a close reason reaches the page instead
// of being taken for the end of a file.
import Mpegts from 'mpegts.js';
import { FanoutClock, FlvContinuity, MAX_OUTPUT_TIMESTAMP_MS } from './flv-continuity.ts';

/** With ?clock=1 the appliance also says when each picture entered its fan-out. */
export const PROGRAM_SOCKET_PATH = '/api/preview/program?clock=1';

/** Seconds buffered past which the playhead jumps towards the live edge, and what it leaves. */
const MAX_BUFFERED_SECONDS = 1.0;
const MIN_REMAINING_SECONDS = 0.3;
/** A stalled playhead this close to a later buffered range jumps to it (seconds). */
const MAX_GAP_JUMP_SECONDS = 3;
const GAP_CHECK_MS = 100;

// mpegts.js's own console log stays off: the player reports its failures to the page, which
// says so under the picture and reconnects.
Mpegts.LoggingControl.applyConfig({
  enableAll: false,
  enableDebug: false,
  enableVerbose: false,
  enableInfo: false,
  enableWarn: false,
  enableError: false,
});

/** Media Source Extensions (or Apple's ManagedMediaSource) with H.264/AAC, and WebSockets. */
export function lowLatencyPreviewSupported(): boolean {
  return typeof WebSocket !== 'undefined' && Mpegts.isSupported();
}

export interface ProgramPlayerEvents {
  /** The socket closed: by the appliance (with its reason), or the connection was lost. */
  onClosed(code: number, reason: string): void;
  /** The player cannot go on (a media or format error): start afresh. */
  onFailed(message: string): void;
}

export class ProgramPlayer {
  private readonly continuity = new FlvContinuity();
  private readonly fanout = new FanoutClock();
  private newestVideo: number | null = null;
  private readonly player: Mpegts.Player;
  private finished = false;
  private readonly gapTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly video: HTMLVideoElement,
    socketUrl: string,
    private readonly events: ProgramPlayerEvents,
  ) {
    this.player = Mpegts.createPlayer(
      { type: 'flv', isLive: true, url: socketUrl },
      {
        // The custom loader lives on this thread, so the transmuxer does too.
        enableWorker: false,
        enableStashBuffer: false,
        stashInitialSize: 32 * 1024,
        isLive: true,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: MAX_BUFFERED_SECONDS,
        liveBufferLatencyMinRemain: MIN_REMAINING_SECONDS,
        lazyLoad: false,
        // Weeks on air: keep only a little of the past in the media buffer.
        autoCleanupSourceBuffer: true,
        autoCleanupMaxBackwardDuration: 30,
        autoCleanupMinBackwardDuration: 10,
        customLoader: this.loaderClass(),
      },
    );
    this.player.on(Mpegts.Events.ERROR, (type: string, detail: string) =>
      this.fail(`${String(type)}: ${String(detail)}`),
    );
    this.player.attachMediaElement(video);
    this.player.load();
    this.gapTimer = setInterval(() => this.jumpGap(), GAP_CHECK_MS);
  }

  /** Starts playback (muted autoplay); rejects where the browser wants a click first. */
  play(): Promise<void> {
    return Promise.resolve(this.player.play());
  }

  /** Restarts of the encoder the stream came through so far (timestamps stepped back). */
  get restarts(): number {
    return this.continuity.restarts;
  }

  /** How far the picture on screen is behind what the destinations get (ms), if known. */
  delayMs(now = Date.now()): number | null {
    const { buffered, currentTime } = this.video;
    if (this.newestVideo === null || buffered.length === 0) return null;
    // The buffer ends with the newest picture handed over: the one on screen is this much older.
    const ahead = Math.max(0, buffered.end(buffered.length - 1) - currentTime) * 1000;
    return this.fanout.delayMs(now, this.newestVideo - ahead);
  }

  destroy(): void {
    this.finished = true;
    clearInterval(this.gapTimer);
    this.player.destroy();
  }

  /**
   * The browser stalls at a hole in the buffer rather than play across it (one can open where
   * a restarted encoder's stream joins the old one): a playhead at the end of what it can play,
   * with more buffered shortly after, moves on to it.
   */
  private jumpGap(): void {
    const { video } = this;
    if (video.paused || video.seeking) return;
    const { buffered, currentTime } = video;
    for (let i = 0; i < buffered.length; i++) {
      const start = buffered.start(i);
      if (start <= currentTime) {
        if (buffered.end(i) - currentTime > 0.15) return; // playing inside this range
        continue;
      }
      if (start - currentTime <= MAX_GAP_JUMP_SECONDS) video.currentTime = start + 0.01;
      return;
    }
  }

  private fail(message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.events.onFailed(message);
  }

  private closed(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.events.onClosed(code, reason);
  }

  /** Whole FLV units for the player, with the arrival of each video tag noted. */
  private receive(chunk: Uint8Array): Uint8Array {
    const out = this.continuity.push(chunk);
    for (const tag of out.video) {
      if (tag.sequenceHeader) continue;
      this.fanout.notePassed(tag.timestamp, tag.input);
      this.newestVideo = tag.timestamp;
    }
    // FLV timestamps are signed 32-bit milliseconds in the player: after ~24 days, start afresh.
    if (this.continuity.newestTimestamp > MAX_OUTPUT_TIMESTAMP_MS)
      queueMicrotask(() => this.fail('the stream has played for weeks: starting afresh'));
    return out.bytes;
  }

  /** The appliance's clock message: when a picture entered its fan-out. */
  private clockMessage(text: string): void {
    try {
      const message = JSON.parse(text) as { type?: unknown; ts?: unknown; at?: unknown };
      if (message.type === 'clock' && typeof message.ts === 'number' && typeof message.at === 'number')
        this.fanout.noteEntered(message.ts, message.at, Date.now());
    } catch {
      // Not ours to read: the stream goes on without a delay figure.
    }
  }

  private loaderClass(): Mpegts.CustomLoaderConstructor {
    const owner = {
      clock: (text: string) => this.clockMessage(text),
      receive: (chunk: Uint8Array) => this.receive(chunk),
      fail: (message: string) => this.fail(message),
      closed: (code: number, reason: string) => this.closed(code, reason),
    };
    const status = Mpegts.LoaderStatus;
    return class ProgramSocketLoader extends Mpegts.BaseLoader {
      private socket: WebSocket | null = null;
      private receivedBytes = 0;
      private opened = false;

      constructor() {
        super('program-socket-loader');
        this._needStash = false;
      }

      override open(dataSource: Mpegts.MediaSegment): void {
        // The library reopens a loader to resume after pausing it (a full buffer): a live
        // socket would start a new stream mid-way, so the page starts a fresh player instead.
        if (this.opened) {
          owner.fail('the player paused its input');
          return;
        }
        this.opened = true;
        const socket = new WebSocket(dataSource.url);
        this.socket = socket;
        socket.binaryType = 'arraybuffer';
        this._status = status.kConnecting;
        socket.onopen = () => {
          this._status = status.kBuffering;
        };
        socket.onmessage = (event: MessageEvent<unknown>) => {
          if (typeof event.data === 'string') {
            owner.clock(event.data);
            return;
          }
          if (!(event.data instanceof ArrayBuffer)) return;
          const bytes = owner.receive(new Uint8Array(event.data));
          if (bytes.length === 0) return;
          const start = this.receivedBytes;
          this.receivedBytes += bytes.length;
          const exact =
            bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
              ? bytes.buffer
              : bytes.slice().buffer;
          this.onDataArrival(exact as ArrayBuffer, start, this.receivedBytes);
        };
        socket.onclose = (event: CloseEvent) => {
          this._status = status.kComplete;
          this.socket = null;
          owner.closed(event.code, event.reason);
        };
      }

      override abort(): void {
        const socket = this.socket;
        this.socket = null;
        if (socket) {
          socket.onclose = null;
          socket.onmessage = null;
          socket.close();
        }
        this._status = status.kComplete;
      }

      override destroy(): void {
        this.abort();
        super.destroy();
      }
    };
  }
}
