// The low-latency program preview: a WebSocket that carries the on-air show's program as FLV,
// straight from the fan-out (header, onMetaData, sequence headers and the current GOP first, then
// live tags). The control room plays it with Media Source Extensions about a second behind the
// output; the HLS files under /preview/ stay for browsers without MSE.
//
// A slow viewer never slows the show: this socket reports backpressure to the fan-out once it
// holds more than MAX_SOCKET_BUFFERED_BYTES unsent, and the fan-out then queues for this viewer
// alone, within its own bound, dropping whole GOPs past it. Nothing here buffers without a bound.
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
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
      log.info('browser preview attached');
      socket.on('close', () => {
        unsubscribe();
        consumer.detach();
        sink.destroy();
        log.info('browser preview detached');
      });
    },
  );
}
