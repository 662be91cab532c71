// The camera list's live state: what the engine reports per camera (src/app/show-control.ts
// cameraStates) and the words the list shows for it (web/src/pages/cameras/live-state.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cameraStates } from '../../../src/app/show-control.ts';
import { LiveStateSchema, type LiveState } from '../../../src/domain/live.ts';
import type { EngineStatus } from '../../../src/engine/index.ts';
import { cameraLiveState } from '../../../web/src/pages/cameras/live-state.ts';

type Source = EngineStatus['sources'][number];
const source = (key: string, fields: Partial<Source> = {}): Source => ({
  key,
  state: 'running',
  frames: 100,
  frameAgeMs: 40,
  restarts: 0,
  audioUnderruns: 0,
  ...fields,
});

function status(fields: Pick<EngineStatus, 'sources' | 'failedCameras' | 'onAir'>): EngineStatus {
  return fields as EngineStatus;
}

describe('cameraStates', () => {
  it('on air, standby (decoding), connecting and failed with its symptom; other sources are not cameras', () => {
    const states = cameraStates(
      status({
        onAir: { source: { kind: 'camera', cameraId: 2 }, replacing: null },
        failedCameras: [
          { cameraId: 4, since: 0 },
          { cameraId: 5, since: 0 },
        ],
        sources: [
          source('slate'),
          source('camera:5', { frameAgeMs: 12_400, state: 'backoff' }),
          source('camera:2'),
          source('camera:1'),
          source('camera:3', { frames: 0, frameAgeMs: null, state: 'starting' }),
          source('camera:4', { frames: 0, frameAgeMs: null, state: 'backoff' }),
          source('media:asset:7'),
        ],
      }),
    );
    assert.deepEqual(states, [
      { cameraId: 1, state: 'standby', cause: null },
      { cameraId: 2, state: 'on_air', cause: null },
      { cameraId: 3, state: 'connecting', cause: null },
      { cameraId: 4, state: 'failed', cause: 'sends no picture' },
      { cameraId: 5, state: 'failed', cause: 'stopped sending video 12 s ago' },
    ]);
  });

  it('a camera decoded at two sizes during a quality move counts once, at its best state', () => {
    const states = cameraStates(
      status({
        onAir: { source: { kind: 'camera', cameraId: 1 }, replacing: null },
        failedCameras: [],
        sources: [source('camera:1@640x360', { frames: 0, state: 'starting' }), source('camera:1@1280x720')],
      }),
    );
    assert.deepEqual(states, [{ cameraId: 1, state: 'on_air', cause: null }]);
  });
});

describe('cameraLiveState', () => {
  const live = (show: Record<string, unknown> | null, alerts: unknown[] = []): LiveState =>
    ({
      at: '2026-12-06T10:00:00Z',
      state: show ? 'live' : 'idle',
      countdown: null,
      show,
      metrics: null,
      health: null,
      alerts,
      lastOutcome: null,
      measuring: null,
    }) as LiveState;
  const show = (cameras: unknown[], demo = false) => ({ demo, cameras });

  it('says nothing off air and during the demo (its cameras are generated, not these)', () => {
    assert.equal(cameraLiveState(null, 1), null);
    assert.equal(cameraLiveState(live(null), 1), null);
    assert.equal(cameraLiveState(live(show([{ cameraId: 1, state: 'on_air', cause: null }], true)), 1), null);
  });

  it('names each state; a failure gets its cause and the open alert’s sentence', () => {
    const state = live(
      show([
        { cameraId: 1, state: 'on_air', cause: null },
        { cameraId: 2, state: 'standby', cause: null },
        { cameraId: 3, state: 'failed', cause: 'sends no picture' },
      ]),
      [{ source: 'camera:3', acknowledged: false, message: 'Camera 3 (Gate) is off air: wrong login.' }],
    );
    assert.deepEqual(cameraLiveState(state, 1), { label: 'On air', badge: 'live', detail: null });
    assert.deepEqual(cameraLiveState(state, 2), { label: 'Standby (decoding)', badge: 'ok', detail: null });
    assert.deepEqual(cameraLiveState(state, 3), {
      label: 'Failed: sends no picture',
      badge: 'error',
      detail: 'Camera 3 (Gate) is off air: wrong login.',
    });
    assert.deepEqual(cameraLiveState(state, 9), { label: 'Not in the show', badge: 'idle', detail: null });
  });

  it('a state from an older appliance without the camera list parses to an empty list', () => {
    const parsed = LiveStateSchema.shape.show.unwrap().shape.cameras.parse(undefined);
    assert.deepEqual(parsed, []);
  });
});
