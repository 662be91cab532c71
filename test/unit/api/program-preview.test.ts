// The low-latency preview's WebSocket (/api/preview/program): sign-in and same-site rules, a clear
// close reason with no show on air, the program as whole FLV tags from a real fan-out hub, the
// socket closed when the show ends or another replaces it, and a viewer that stops reading
// costs the show nothing (the hub drops whole GOPs for it; the stream resumes at a keyframe).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import {
  PREVIEW_CLOSE,
  PROGRAM_PREVIEW_PATH,
  type PreviewClockMessage,
} from '../../../src/api/routes/program-preview.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { FanoutHub, type FanoutConsumer } from '../../../src/engine/fanout/hub.ts';
import { FlvParser, type FlvPacket, type FlvTag } from '../../../src/engine/fanout/flv.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { waitFor } from '../../helpers/proc.ts';
import { mediaId, syntheticStream } from '../fanout/fixtures.ts';

type Feed = ReturnType<ShowControl['programFeed']>;

/** Real show control whose program comes from a hub the test feeds (no encoder here). */
class HubShowControl extends ShowControl {
  feed: Feed = null;
  readonly consumers: FanoutConsumer[] = [];
  private readonly airListeners = new Set<() => void>();

  override programFeed(): Feed {
    return this.feed;
  }

  override onChange(listener: () => void): () => void {
    this.airListeners.add(listener);
    const off = super.onChange(listener);
    return () => {
      this.airListeners.delete(listener);
      off();
    };
  }

  /** Puts a hub's program on air as execution `executionId` (null: nothing on air). */
  airHub(hub: FanoutHub | null, executionId = 1, maxQueueBytes = 4 * 1024 * 1024): void {
    this.feed = hub
      ? {
          executionId,
          attach: (writable, name) => {
            const consumer = hub.attach(writable, { name, maxQueueBytes });
            this.consumers.push(consumer);
            return consumer;
          },
        }
      : null;
    for (const listener of this.airListeners) listener();
  }
}

class NoRunner {
  async start(): Promise<RunningShow> {
    throw new Error('not used');
  }
}

interface Closed {
  code: number;
  reason: string;
}

const closedOf = (socket: WebSocket): Promise<Closed> =>
  new Promise((resolve) =>
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );

/** Every FLV unit received so far, parsed from the binary messages. */
function receiver(socket: WebSocket): { packets: FlvPacket[]; messages: number } {
  const parser = new FlvParser();
  const state = { packets: [] as FlvPacket[], messages: 0 };
  socket.on('message', (data: Buffer, binary: boolean) => {
    if (!binary) return;
    state.messages++;
    state.packets.push(...parser.push(data));
  });
  return state;
}

function mediaTags(packets: FlvPacket[]): FlvTag[] {
  return packets.filter((packet): packet is FlvTag => packet.kind === 'video' || packet.kind === 'audio');
}

interface Viewer {
  socket: WebSocket;
  received: { packets: FlvPacket[]; messages: number };
  closed: Promise<Closed>;
}

describe('program preview WebSocket', () => {
  let api: ApiHarness;
  let shows: HubShowControl;
  let url = '';
  /** A browser's WebSocket (real TCP on 127.0.0.1) with the session cookie. */
  const watch = async (headers: Record<string, string> = {}, query = ''): Promise<Viewer> => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}${PROGRAM_PREVIEW_PATH}${query}`, {
      headers: { cookie: api.sessionCookie(), ...headers },
    });
    const received = receiver(socket);
    const closed = closedOf(socket);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return { socket, received, closed };
  };
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => {
      shows = new HubShowControl({
        store,
        runner: new NoRunner(),
        dataDir,
        clock,
        preflight: async () => ({ ok: true, checks: [] }),
      });
      return { shows };
    });
    await api.signIn();
    url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => api.close());

  it('needs sign-in and refuses other sites', async () => {
    await assert.rejects(api.app.injectWS(PROGRAM_PREVIEW_PATH), /401|Unexpected server response/);
    const foreign = await watch({ origin: 'http://evil.example' });
    assert.deepEqual(await foreign.closed, { code: 1008, reason: 'cross-site' });
  });

  it('closes with "no show on air" while nothing is live (real show control, idle)', async () => {
    shows.airHub(null);
    const { closed } = await watch();
    assert.deepEqual(await closed, PREVIEW_CLOSE.noShow);
    // The real method, not the test's override: idle show control has no program to offer.
    assert.equal(ShowControl.prototype.programFeed.call(shows), null);
  });

  it('sends the header, sequence headers and current GOP, then live tags; detaches on close', async () => {
    const hub = new FanoutHub();
    const stream = syntheticStream({ gops: 2, framesPerGop: 4 });
    hub.push(stream.bytes); // a show already running: its second GOP is the current one
    shows.airHub(hub, 7);
    const { socket, received, closed } = await watch();
    const snapshotLength = 1 + 3 + (stream.media.length - stream.gopStarts[1]!);
    await waitFor(() => received.packets.length >= snapshotLength, { what: 'the snapshot' });
    const kinds = received.packets.map((packet) => packet.kind);
    assert.deepEqual(kinds.slice(0, 4), ['header', 'metadata', 'avc-sequence-header', 'aac-sequence-header']);
    const [firstMedia] = mediaTags(received.packets);
    assert.ok(firstMedia && firstMedia.kind === 'video' && firstMedia.keyframe, 'media starts at a keyframe');
    assert.equal(mediaId(firstMedia), mediaId(stream.media[stream.gopStarts[1]!]!));
    assert.equal(received.messages, received.packets.length, 'one whole FLV unit per message');

    const live = syntheticStream({
      gops: 1,
      framesPerGop: 3,
      firstId: 1000,
      startMs: 5000,
      withPreamble: false,
    });
    hub.push(live.bytes);
    await waitFor(() => received.packets.length >= snapshotLength + live.media.length, { what: 'live tags' });
    const ids = mediaTags(received.packets.slice(snapshotLength)).map((tag) => mediaId(tag));
    assert.deepEqual(
      ids,
      live.media.map((tag) => mediaId(tag)),
    );

    socket.close();
    await closed;
    await waitFor(() => hub.list().length === 0, { what: 'the preview to detach from the hub' });
  });

  it('with ?clock=1, says when each new picture entered the fan-out (text beside the FLV)', async () => {
    const hub = new FanoutHub();
    hub.push(syntheticStream({ gops: 1, framesPerGop: 3 }).bytes); // cached: entered before we came
    shows.airHub(hub, 12);
    const clocks: PreviewClockMessage[] = [];
    const viewer = await watch({}, '?clock=1');
    viewer.socket.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) clocks.push(JSON.parse(data.toString()) as PreviewClockMessage);
    });
    await waitFor(() => viewer.received.packets.length >= 4 + 6, { what: 'the snapshot' });
    const live = syntheticStream({
      gops: 1,
      framesPerGop: 4,
      firstId: 50,
      startMs: 3000,
      withPreamble: false,
    });
    api.clock.advance(5000);
    hub.push(live.bytes);
    const pictures = live.media.filter((tag) => tag.kind === 'video');
    await waitFor(() => clocks.length >= pictures.length, { what: 'a clock message per picture' });
    assert.deepEqual(
      clocks,
      pictures.map((tag) => ({ type: 'clock', ts: tag.timestamp, at: api.clock.wallNow() })),
      'one per new picture, none for the cached GOP, at the appliance clock',
    );
    const media = mediaTags(viewer.received.packets).map(mediaId);
    assert.deepEqual(media.slice(-live.media.length), live.media.map(mediaId), 'the FLV is untouched');
    viewer.socket.close();
    await viewer.closed;
    await waitFor(() => hub.list().length === 0, { what: 'both consumers to detach' });

    await assert.rejects(watch({}, '?clock=yes'), /400/);
  });

  it('closes with "the show ended" when the program ends or another show replaces it', async () => {
    const first = new FanoutHub();
    first.push(syntheticStream({ gops: 1, framesPerGop: 2 }).bytes);
    shows.airHub(first, 8);
    const ending = await watch();
    first.end(); // the engine stopped: its encoder's output ended
    assert.deepEqual(await ending.closed, PREVIEW_CLOSE.showEnded);

    const demo = new FanoutHub();
    demo.push(syntheticStream({ gops: 1, framesPerGop: 2 }).bytes);
    shows.airHub(demo, 9);
    const watching = await watch();
    const next = new FanoutHub();
    shows.airHub(next, 10); // GO LIVE replaced the demo: show control reports the change
    assert.deepEqual(await watching.closed, PREVIEW_CLOSE.showEnded);
    await waitFor(() => demo.list().length === 0, { what: 'the old show to lose its viewer' });
  });

  it('a viewer that stops reading makes the hub drop whole GOPs for it; it resumes at a keyframe', async () => {
    const hub = new FanoutHub();
    hub.push(syntheticStream({ gops: 1, framesPerGop: 2 }).bytes);
    const maxQueueBytes = 1024 * 1024;
    shows.airHub(hub, 11, maxQueueBytes);
    const { socket, received } = await watch();
    const consumer = await waitFor(() => shows.consumers.at(-1), { what: 'the viewer to attach' });
    await waitFor(() => received.packets.length >= 4 + 4, { what: 'the first GOP' });

    // The browser's tab stalls: its TCP socket is no longer read.
    const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    let gop = 0;
    let pushedBytes = 0;
    await waitFor(
      () => {
        // One 2 s GOP of 60 frames of 20 kB (about 10 Mbit/s), written as the encoder would.
        const segment = syntheticStream({
          gops: 1,
          framesPerGop: 60,
          videoSize: 20_000,
          firstId: 100_000 + gop * 1000,
          startMs: 10_000 + gop * 2000,
          withPreamble: false,
        });
        hub.push(segment.bytes);
        pushedBytes += segment.bytes.length;
        gop++;
        return consumer.stats().droppedGops > 0 || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'the hub to drop a GOP for the stalled viewer' },
    );
    const stats = consumer.stats();
    console.log(
      `stalled viewer: ${(pushedBytes / 1e6).toFixed(1)} MB pushed, ${(stats.bytesSent / 1e6).toFixed(1)} MB handed to the socket, ` +
        `${stats.droppedGops} GOP(s) dropped, queue ${stats.bytesQueued} B, sink ${stats.writableBuffered} B`,
    );
    assert.ok(stats.bytesQueued <= maxQueueBytes, 'the hub keeps its bound');
    assert.ok(stats.writableBuffered <= 64 * 1024 + 25_000, `the sink holds ${stats.writableBuffered} B`);
    assert.ok(stats.bytesSent < pushedBytes, 'not everything was handed to the socket: the hub held back');

    // The tab wakes up: the stream flows again, and wherever tags are missing it goes on at a
    // keyframe (whole GOPs were dropped, never part of one).
    tcp.resume();
    const after = syntheticStream({
      gops: 2,
      framesPerGop: 4,
      firstId: 900_000,
      startMs: 10_000 + gop * 2000,
      withPreamble: false,
    });
    hub.push(after.bytes);
    const lastId = mediaId(after.media.at(-1)!);
    await waitFor(() => mediaTags(received.packets).some((tag) => mediaId(tag) === lastId), {
      timeoutMs: 20_000,
      what: 'the stream to flow again',
    });
    const media = mediaTags(received.packets);
    const gaps = media.filter((tag, i) => i > 0 && mediaId(tag) !== mediaId(media[i - 1]!) + 1);
    assert.ok(gaps.length > 0, 'tags were dropped');
    for (const tag of gaps) assert.ok(tag.kind === 'video' && tag.keyframe, 'each gap ends at a keyframe');
    socket.close();
    await waitFor(() => hub.list().length === 0, { what: 'the viewer to detach' });
  });
});
