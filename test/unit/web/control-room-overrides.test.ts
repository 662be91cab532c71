// The control room's one model of the overrides (web/src/pages/control-room/override-model.ts):
// what is on air and why, each override with its place in the precedence and its cancel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveShow } from '../../../src/domain/live.ts';
import { onAirReason, overrideRows } from '../../../web/src/pages/control-room/override-model.ts';

type Because = LiveShow['onAirBecause'];

function show(
  overrides: Partial<LiveShow['overrides']>,
  onAirBecause: Because,
  note: string | null = null,
): LiveShow {
  // Only the fields the model reads matter; the rest is a valid shape.
  return {
    overrides: {
      emergency: false,
      pinnedCameraId: null,
      forcedCameraId: null,
      hiddenOverlayCues: [],
      ...overrides,
    },
    onAirBecause,
    camera: { scheduled: null, onAir: null, note },
  } as unknown as LiveShow;
}
const nameOf = (id: number) => `Camera ${id} (Cam${id})`;
const summary = (s: LiveShow) => overrideRows(s, nameOf).map((row) => [row.kind, row.state, row.stateText]);

describe('the control room override model', () => {
  it('no override: the timeline decides and nothing needs cancelling', () => {
    const s = show({}, 'timeline');
    assert.deepEqual(overrideRows(s, nameOf), []);
    assert.equal(onAirReason(s, nameOf), 'From the timeline');
  });

  it('a force and a pin together: only the pin reads On air, the force waits under it', () => {
    const s = show({ pinnedCameraId: 2, forcedCameraId: 3 }, 'pinned');
    assert.deepEqual(summary(s), [
      ['pin', 'on-air', 'On air'],
      ['force', 'waiting', 'Waiting under the pin of Camera 2 (Cam2) (ends with the current cue)'],
    ]);
    assert.equal(onAirReason(s, nameOf), 'Pinned: the timeline’s camera cues are ignored until you unpin');
  });

  it('the emergency covers every other override; each has its own cancel', () => {
    const s = show(
      { emergency: true, pinnedCameraId: 2, forcedCameraId: 3, hiddenOverlayCues: ['a', 'b'] },
      'emergency',
    );
    const rows = overrideRows(s, nameOf);
    assert.deepEqual(
      rows.map((row) => [row.kind, row.state]),
      [
        ['emergency', 'on-air'],
        ['pin', 'waiting'],
        ['force', 'waiting'],
        ['overlays', 'active'],
      ],
    );
    assert.equal(rows.filter((row) => row.state === 'on-air').length, 1);
    assert.deepEqual(
      rows.map((row) => [row.cancel.label, row.cancel.path, row.cancel.body]),
      [
        ['Emergency off', '/api/show/overrides/emergency', { on: false }],
        ['Unpin', '/api/show/overrides/pin-camera', { cameraId: null }],
        ['Cancel force', '/api/show/overrides/cancel-force', undefined],
        ['Restore overlays', '/api/show/overrides/restore-overlays', undefined],
      ],
    );
    assert.equal(rows[1]!.stateText, 'Waiting under the emergency test pattern');
    assert.equal(rows[3]!.what, '2 overlays cleared by you');
  });

  it('a forced camera still connecting is not on air yet: the timeline is, and it says so', () => {
    const s = show({ forcedCameraId: 3 }, 'timeline');
    assert.deepEqual(summary(s), [['force', 'pending', 'Connecting — not on air yet']]);
    assert.equal(onAirReason(s, nameOf), 'From the timeline while Camera 3 (Cam3) connects (forced by you)');
  });

  it('a failed camera: its stand-in is on air, with the failover note as the reason', () => {
    const note = 'Camera 2 is offline — backup camera 4 on air';
    const s = show({ pinnedCameraId: 2 }, 'backup', note);
    assert.equal(onAirReason(s, nameOf), note);
    assert.deepEqual(summary(s), [['pin', 'on-air', 'On air through its stand-in (the camera failed)']]);
  });
});
