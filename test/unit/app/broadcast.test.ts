import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DELIVERY_FRESH_MS,
  onAirBecause,
  summarizeBroadcast,
  type BroadcastOutput,
} from '../../../src/app/broadcast.ts';

const destination = (
  name: string,
  state: BroadcastOutput['state'],
  msSinceGrowth: number | null,
): BroadcastOutput => ({ id: `destination:${name}`, kind: 'destination', name, state, msSinceGrowth });
const preview: BroadcastOutput = {
  id: 'preview',
  kind: 'preview',
  name: 'Preview',
  state: 'live',
  msSinceGrowth: 100,
};
const recording: BroadcastOutput = {
  id: 'recording',
  kind: 'recording',
  name: 'Recording',
  state: 'live',
  msSinceGrowth: 100,
};

describe('the broadcast summary (the control room status line)', () => {
  it('reads LIVE when every destination is live and its bytes grew within the window', () => {
    const summary = summarizeBroadcast([destination('A', 'live', 400), destination('B', 'live', 4900)]);
    assert.equal(summary.sentence, 'LIVE');
    assert.equal(summary.tone, 'live');
    assert.equal(summary.delivering, 2);
    assert.deepEqual(summary.notDelivering, []);
  });

  it('a destination still "live" whose bytes stopped growing more than 5 s ago is not delivering', () => {
    const summary = summarizeBroadcast([destination('A', 'live', DELIVERY_FRESH_MS + 1)]);
    assert.equal(summary.delivering, 0);
    assert.equal(summary.down, 1);
    assert.equal(summary.tone, 'down');
    assert.equal(summary.sentence, 'ON AIR TO NO DESTINATION — the destination is down');
    assert.deepEqual(summary.notDelivering, [
      { id: 'destination:A', name: 'A', why: 'nothing sent for 5 s' },
    ]);
    const edge = summarizeBroadcast([destination('A', 'live', DELIVERY_FRESH_MS)]);
    assert.equal(edge.sentence, 'LIVE', 'exactly at the window it still counts');
  });

  it('one of two down: LIVE with the count, and the failing one named', () => {
    const summary = summarizeBroadcast([
      destination('Good', 'live', 800),
      destination('Dead', 'retrying', null),
    ]);
    assert.equal(summary.sentence, 'LIVE · 1 of 2 destinations down');
    assert.equal(summary.tone, 'partial');
    assert.deepEqual(
      [summary.delivering, summary.down, summary.connecting, summary.destinations],
      [1, 1, 0, 2],
    );
    assert.deepEqual(summary.notDelivering, [
      { id: 'destination:Dead', name: 'Dead', why: 'down, retrying' },
    ]);
  });

  it('none delivering: not LIVE, whether all are down or still connecting', () => {
    const down = summarizeBroadcast([destination('A', 'failing', null), destination('B', 'retrying', null)]);
    assert.equal(down.sentence, 'ON AIR TO NO DESTINATION — all 2 destinations down');
    assert.equal(down.tone, 'down');
    const connecting = summarizeBroadcast([destination('A', 'connecting', null)]);
    assert.equal(connecting.sentence, 'CONNECTING…');
    assert.equal(connecting.tone, 'connecting');
    const mixed = summarizeBroadcast([
      destination('A', 'connecting', null),
      destination('B', 'failing', null),
    ]);
    assert.equal(mixed.sentence, 'CONNECTING… · 1 of 2 destinations down');
    const partial = summarizeBroadcast([
      destination('A', 'live', 10),
      destination('B', 'connecting', null),
      destination('C', 'failing', null),
    ]);
    assert.equal(partial.sentence, 'LIVE · 1 of 3 destinations down, 1 connecting');
  });

  it('the preview and the recording never count, however well they run', () => {
    const summary = summarizeBroadcast([preview, recording, destination('A', 'retrying', null)]);
    assert.equal(summary.destinations, 1);
    assert.equal(summary.delivering, 0);
    assert.equal(summary.tone, 'down');
    assert.deepEqual(
      summary.notDelivering.map((output) => output.name),
      ['A'],
    );
    const previewOnly = summarizeBroadcast([preview, recording]);
    assert.equal(previewOnly.tone, 'preview');
    assert.equal(previewOnly.sentence, 'ON AIR · preview only, no destination');
    assert.equal(previewOnly.delivering, 0);
  });
});

describe('why the picture on air is on air', () => {
  const overrides = { emergency: false, pinnedCameraId: null, forcedCameraId: null, hiddenOverlayCues: [] };
  const camera = (cameraId: number) => ({
    source: { kind: 'camera' as const, cameraId },
    replacing: null,
  });

  it('the timeline, unless an override that is on air says otherwise', () => {
    assert.equal(onAirBecause({ overrides, onAir: camera(1) }), 'timeline');
    assert.equal(
      onAirBecause({ overrides: { ...overrides, pinnedCameraId: 2 }, onAir: camera(2) }),
      'pinned',
    );
    assert.equal(
      onAirBecause({ overrides: { ...overrides, forcedCameraId: 3 }, onAir: camera(3) }),
      'forced',
    );
    assert.equal(
      onAirBecause({ overrides: { ...overrides, emergency: true, pinnedCameraId: 2 }, onAir: camera(2) }),
      'emergency',
    );
  });

  it('a pinned or forced camera still connecting is not on air: the timeline is', () => {
    assert.equal(
      onAirBecause({ overrides: { ...overrides, pinnedCameraId: 2 }, onAir: camera(1) }),
      'timeline',
    );
    assert.equal(
      onAirBecause({ overrides: { ...overrides, forcedCameraId: 3 }, onAir: camera(1) }),
      'timeline',
    );
  });

  it('a force under a pin is never the reason, even when both name the camera on air', () => {
    assert.equal(
      onAirBecause({ overrides: { ...overrides, pinnedCameraId: 1, forcedCameraId: 1 }, onAir: camera(1) }),
      'pinned',
    );
  });

  it('a failed camera: its backup or the test pattern stands in', () => {
    const failed = (replacement: { kind: 'backup'; cameraId: number } | { kind: 'slate' }) => ({
      source: { kind: 'camera' as const, cameraId: 4 },
      replacing: { cameraId: 2, replacement, failed: true },
    });
    assert.equal(
      onAirBecause({
        overrides: { ...overrides, pinnedCameraId: 2 },
        onAir: failed({ kind: 'backup', cameraId: 4 }),
      }),
      'backup',
    );
    assert.equal(onAirBecause({ overrides, onAir: failed({ kind: 'slate' }) }), 'slate');
  });
});

describe('the status line with a YouTube broadcast (issue 17)', () => {
  const youtube = (name: string, lifeCycleStatus: string | null) => ({
    outputId: `destination:${name}`,
    live: lifeCycleStatus === 'live',
    lifeCycleStatus,
  });

  it('an RTMP session that delivers but a broadcast that is not live is not plain LIVE', () => {
    const summary = summarizeBroadcast([destination('A', 'live', 400)], [youtube('A', 'testing')]);
    assert.equal(summary.sentence, 'LIVE · YouTube broadcast not live yet (testing)');
    assert.equal(summary.tone, 'partial');
    assert.equal(summary.delivering, 0);
    assert.deepEqual(summary.notDelivering, [
      { id: 'destination:A', name: 'A', why: 'YouTube broadcast not live yet (testing)' },
    ]);
  });

  it('a live broadcast is LIVE; an ended one says the next is on its way', () => {
    assert.equal(
      summarizeBroadcast([destination('A', 'live', 400)], [youtube('A', 'live')]).sentence,
      'LIVE',
    );
    const ended = summarizeBroadcast(
      [destination('A', 'live', 400), destination('B', 'live', 400)],
      [youtube('A', 'complete')],
    );
    assert.equal(ended.sentence, 'LIVE · YouTube broadcast ended (complete), the next one on its way');
    assert.equal(ended.delivering, 1);
  });

  it('the broadcast does not matter while the RTMP session is down', () => {
    const summary = summarizeBroadcast([destination('A', 'retrying', null)], [youtube('A', 'live')]);
    assert.equal(summary.tone, 'down');
  });
});
