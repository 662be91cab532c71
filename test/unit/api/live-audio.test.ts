// The audio part of /api/live: meter readings only to a socket that asked, only new windows,
// at the push interval of the injected clock, in the shared schema; nothing while no show is live.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { AUDIO_PUSH_EVERY_MS } from '../../../src/api/routes/live-audio.ts';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import { LiveAudioMessageSchema, LiveMessageSchema } from '../../../src/domain/live.ts';
import type { AudioLevels } from '../../../src/engine/index.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { waitFor } from '../../helpers/proc.ts';

type Reading = ReturnType<ShowControl['audioLevels']>;

/** Real show control whose meter readings the test sets (no engine here). */
class MeteredShowControl extends ShowControl {
  reading: Reading = null;
  override audioLevels(): Reading {
    return this.reading;
  }
}

class NoRunner {
  async start(): Promise<RunningShow> {
    throw new Error('not used');
  }
}

const levels = (seq: number, peakDb: number | null): AudioLevels => ({
  seq,
  sampleTime: seq * 2400,
  channels: [
    { peakDb, rmsDb: peakDb === null ? null : peakDb - 0.04, clipped: false },
    { peakDb: null, rmsDb: null, clipped: false },
  ],
});

/** Every message a socket receives, split by type. */
function inbox(socket: WebSocket): { audio: unknown[]; state: unknown[] } {
  const box = { audio: [] as unknown[], state: [] as unknown[] };
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string };
    (message.type === 'audio' ? box.audio : box.state).push(message);
  });
  return box;
}

describe('/api/live audio meter messages', () => {
  let api: ApiHarness;
  let shows: MeteredShowControl;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => {
      shows = new MeteredShowControl({
        store,
        runner: new NoRunner(),
        dataDir,
        clock,
        preflight: async () => ({ ok: true, checks: [] }),
      });
      return { shows };
    });
    await api.signIn();
  });
  after(() => api.close());

  const open = async (): Promise<{ socket: WebSocket; box: ReturnType<typeof inbox> }> => {
    let box: ReturnType<typeof inbox> | undefined;
    const socket = await api.app.injectWS(
      '/api/live',
      { headers: { cookie: api.sessionCookie() } },
      { onInit: (ws) => (box = inbox(ws)) },
    );
    await waitFor(() => box!.state.length > 0, { timeoutMs: 5000, what: 'the first state message' });
    return { socket, box: box! };
  };

  it('a socket that asked gets each new window once, rounded to 0.1 dB; one that did not gets none', async () => {
    shows.reading = { executionId: 4, levels: levels(1, -20.0437) };
    const listener = await open();
    const bystander = await open();
    listener.socket.send(JSON.stringify({ type: 'audio', on: true }));
    // The first reading goes at once when asked.
    await waitFor(() => listener.box.audio.length === 1, {
      timeoutMs: 5000,
      what: 'the first audio message',
    });
    const first = LiveAudioMessageSchema.parse(listener.box.audio[0]);
    assert.equal(first.data.executionId, 4);
    assert.equal(first.data.seq, 1);
    assert.deepEqual(first.data.channels, [
      { peakDb: -20, rmsDb: -20.1, clipped: false },
      { peakDb: null, rmsDb: null, clipped: false },
    ]);
    assert.equal(first.data.at, new Date(api.clock.wallNow()).toISOString());

    // The same window is not sent again; a new one is, at the next push.
    api.clock.advance(AUDIO_PUSH_EVERY_MS);
    shows.reading = { executionId: 4, levels: levels(2, -6) };
    api.clock.advance(AUDIO_PUSH_EVERY_MS);
    await waitFor(() => listener.box.audio.length === 2, {
      timeoutMs: 5000,
      what: 'the second audio message',
    });
    assert.equal(LiveAudioMessageSchema.parse(listener.box.audio[1]).data.seq, 2);
    api.clock.advance(AUDIO_PUSH_EVERY_MS * 3);

    // No show live: nothing.
    shows.reading = null;
    api.clock.advance(AUDIO_PUSH_EVERY_MS * 3);

    // Switched off: nothing more, even with new windows.
    listener.socket.send(JSON.stringify({ type: 'audio', on: false }));
    // Garbage from a browser is ignored (the socket stays open).
    bystander.socket.send('not json');
    bystander.socket.send(JSON.stringify({ type: 'audio', on: 'yes' }));
    // The next state push (once a second, real time) gives the server time to read both.
    const statesBefore = listener.box.state.length;
    await waitFor(() => listener.box.state.length > statesBefore, {
      timeoutMs: 5000,
      what: 'a state message',
    });
    shows.reading = { executionId: 5, levels: levels(1, -30) };
    api.clock.advance(AUDIO_PUSH_EVERY_MS * 3);
    const statesLater = bystander.box.state.length;
    await waitFor(() => bystander.box.state.length > statesLater, {
      timeoutMs: 5000,
      what: 'a state message',
    });
    assert.equal(listener.box.audio.length, 2);
    assert.equal(bystander.box.audio.length, 0);
    // The state messages still parse as before: audio is a message of its own.
    for (const message of bystander.box.state) LiveMessageSchema.parse(message);
    listener.socket.terminate();
    bystander.socket.terminate();
  });
});
