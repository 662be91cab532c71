// The low-latency program preview: a WebSocket that carries the on-air show's program as FLV,
// straight from the fan-out (header, onMetaData, sequence headers and the current GOP first, then
// live tags). The control room plays it with Media Source Extensions about a second behind the
// output; the HLS files under /preview/ stay for browsers without MSE.
//
// A slow viewer never slows the show: this socket reports backpressure to the fan-out once it
// holds more than MAX_SOCKET_BUFFERED_BYTES unsent, and the fan-out then queues for this viewer
// alone, within its own bound, dropping whole GOPs past it. Nothing here buffers without a bound.
//
// With ?clock=1 the socket also carries a text message per picture, sent the moment the picture
// enters the fan-out: {"type":"clock","ts":<FLV timestamp>,"at":<wall ms>}. The control room
// measures from them how far its picture is behind what the destinations get.
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import type { ApiShowControl } from '../deps.ts';
import type { ApiInstance } from '../http.ts';

export const PROGRAM_PREVIEW_PATH = '/api/preview/program';

/** Why the server closed the socket (WebSocket close codes 4000–4999 are the application's). */
export const PREVIEW_CLOSE = {
  /** Nothing on air: the browser tries again when a show goes live. */
  noShow: { code: 4404, reason: 'no show on air' },
  /** The show this socket carried stopped or was replaced: the browser connects to the next one. */
  showEnded: { code: 4000, reason: 'the show ended' },
  /** Another site's page tried to listen with the operator's cookie. */
  crossSite: { code: 1008, reason: 'cross-site' },
} as const;

/** Unsent bytes the socket may hold before the fan-out is told to wait (about 1.5 s at 2.5 Mbit/s). */
const MAX_SOCKET_BUFFERED_BYTES = 512 * 1024;
/** Bytes waiting in the Writable itself before write() answers false. */
const SINK_HIGH_WATER_MARK = 64 * 1024;

type ProgramFeedSource = Pick<ApiShowControl, 'programFeed' | 'onChange'>;
type WriteCallback = (error?: Error | null) => void;

const PreviewQuery = z.strictObject({
  /** "1": also send when each picture entered the fan-out (text messages beside the FLV). */
  clock: z.literal('1', { error: 'must be 1 when given' }).optional(),
});

/** The clock message for one picture. */
export interface PreviewClockMessage {
  type: 'clock';
  /** The picture's FLV timestamp (ms), as in the binary stream. */
  ts: number;
  /** Wall-clock ms when it entered the fan-out. */
  at: number;
}

const TAG_VIDEO = 9;
const FLV_TAG_HEADER_BYTES = 11;

/** The timestamp of a whole FLV video tag carrying a picture (not a sequence header), else null. */
export function pictureTimestamp(tag: Buffer): number | null {
  if (tag.length < FLV_TAG_HEADER_BYTES + 2 || (tag[0]! & 0x1f) !== TAG_VIDEO) return null;
  const avcSequenceHeader = (tag[FLV_TAG_HEADER_BYTES]! & 0x0f) === 7 && tag[FLV_TAG_HEADER_BYTES + 1] === 0;
  if (avcSequenceHeader) return null;
  return (tag.readUIntBE(4, 3) | (tag[7]! << 24)) >>> 0;
}

/**
 * A fan-out consumer that never waits: for each picture that enters the fan-out it sends the
 * socket a clock message at once, whatever the FLV stream's own backlog. Skipped while the
 * socket is backed up (the messages are a measurement, not the program).
 */
class ClockSink extends Writable {
  /** Off while the fan-out hands over its cached GOP: those pictures entered it earlier. */
  live = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly clock: Clock,
  ) {
    super({ highWaterMark: SINK_HIGH_WATER_MARK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    const ts = this.live ? pictureTimestamp(chunk) : null;
    const { socket } = this;
    if (
      ts !== null &&
      socket.readyState === socket.OPEN &&
      socket.bufferedAmount <= MAX_SOCKET_BUFFERED_BYTES
    ) {
      const message: PreviewClockMessage = { type: 'clock', ts, at: this.clock.wallNow() };
      socket.send(JSON.stringify(message));
    }
    callback();
  }
}

/**
 * Hands whole FLV tags to a WebSocket, one binary message each. write() is acknowledged at once
 * while the socket's unsent bytes stay under `maxBuffered`; past that the acknowledgement waits
 * until the socket has sent enough, which is the backpressure the fan-out honours.
 */
export class WebSocketSink extends Writable {
  private held: WriteCallback | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly maxBuffered: number,
    private readonly onInputEnded: () => void,
  ) {
    super({ highWaterMark: SINK_HIGH_WATER_MARK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    if (this.socket.readyState !== this.socket.OPEN) {
      callback(new Error('the preview socket is closed'));
      return;
    }
    this.socket.send(chunk, { binary: true }, (error) => this.sent(error));
    if (this.socket.bufferedAmount <= this.maxBuffered) callback();
    else this.held = callback;
  }

  override _final(callback: WriteCallback): void {
    this.onInputEnded();
    callback();
  }

  private sent(error: Error | undefined): void {
    const held = this.held;
    if (!held) return;
    if (error || this.socket.bufferedAmount <= this.maxBuffered) {
      this.held = null;
      held(error ?? null);
    }
  }
}

export function registerProgramPreviewRoute(
  app: ApiInstance,
  shows: ProgramFeedSource,
  logger: Logger = createLogger('program-preview'),
  clock: Clock = systemClock,
): void {
  let viewers = 0;
  app.get(
    PROGRAM_PREVIEW_PATH,
    {
      websocket: true,
      schema: {
        tags: ['show'],
        summary:
          'WebSocket: the program as FLV for the low-latency preview (closes with 4404 when no show is on air, 4000 when it ends)',
        querystring: PreviewQuery,
      },
    },
    (socket, request) => {
      // Browsers send the cookie on a cross-site WebSocket too: only the appliance's own pages may watch.
      const origin = request.headers.origin;
      if (origin && (!URL.canParse(origin) || new URL(origin).host !== request.headers.host)) {
        socket.close(PREVIEW_CLOSE.crossSite.code, PREVIEW_CLOSE.crossSite.reason);
        return;
      }
      const feed = shows.programFeed();
      if (!feed) {
        socket.close(PREVIEW_CLOSE.noShow.code, PREVIEW_CLOSE.noShow.reason);
        return;
      }
      const name = `browser-preview-${++viewers}`;
      const log = logger.child({ viewer: name, execution: feed.executionId });
      const showEnded = (): void => {
        if (socket.readyState === socket.OPEN)
          socket.close(PREVIEW_CLOSE.showEnded.code, PREVIEW_CLOSE.showEnded.reason);
      };
      const sink = new WebSocketSink(socket, MAX_SOCKET_BUFFERED_BYTES, showEnded);
      // The fan-out reports a failed write through the sink; the socket's close cleans up.
      sink.on('error', (error) => log.debug({ err: error.message }, 'preview write failed'));
      const unsubscribe = shows.onChange(() => {
        if (shows.programFeed()?.executionId !== feed.executionId) showEnded();
      });
      const consumer = feed.attach(sink, name);
      let clockSink: ClockSink | null = null;
      let clockConsumer: { detach(): void } | null = null;
      if (request.query.clock === '1') {
        clockSink = new ClockSink(socket, clock);
        clockConsumer = feed.attach(clockSink, `${name}-clock`);
        clockSink.live = true;
      }
      log.info({ clock: clockSink !== null }, 'browser preview attached');
      socket.on('close', () => {
        unsubscribe();
        consumer.detach();
        clockConsumer?.detach();
        sink.destroy();
        clockSink?.destroy();
        log.info('browser preview detached');
      });
    },
  );
}
