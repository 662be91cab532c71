// What the health history reads of the show on air (src/app/health-reading.ts): the control
// room's metrics, and reconnects as the destinations' restarts only (the preview and the
// recording restarting are not a viewer's reconnect); nothing while no show is live.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readShowHealth } from '../../../src/app/health-reading.ts';
import type { ShowControl } from '../../../src/app/show-control.ts';
import type { OutputStatus } from '../../../src/engine/outputs.ts';
import type { MetricsSnapshot } from '../../../src/health/index.ts';

const metrics: MetricsSnapshot = {
  bitrateKbps: { current: 2480, target: 2500 },
  fps: { actual: 29.9, target: 30 },
  droppedFrames: 17,
  encoderCpuPercent: 35,
  encodeMsPerFrame: 8,
  publisherBufferFullnessPercent: 2,
  uptimeSeconds: 600,
  bytesSent: 1_000_000,
  destinations: [],
  cpuTemperatureC: null,
  systemCpuPercent: 62.5,
};
const output = (kind: OutputStatus['kind'], restarts: number) => ({ kind, restarts }) as OutputStatus;

function showsWith(
  live: MetricsSnapshot | null,
  outputs: OutputStatus[] | null,
): Pick<ShowControl, 'metrics' | 'current'> {
  const current = outputs
    ? ({ executionId: 42, engine: { status: () => ({ outputs }) } } as unknown as ShowControl['current'])
    : null;
  return { metrics: () => live, current };
}

describe('reading the show on air for the health history', () => {
  it('takes the metrics and counts the destinations’ restarts as reconnects', () => {
    const reading = readShowHealth(
      showsWith(metrics, [
        output('destination', 2),
        output('preview', 5),
        output('destination', 1),
        output('recording', 3),
      ]),
    );
    assert.deepEqual(reading, {
      executionId: 42,
      bitrateKbps: 2480,
      fps: 29.9,
      droppedFramesTotal: 17,
      systemCpuPercent: 62.5,
      reconnectsTotal: 3,
    });
  });

  it('reads nothing while no show is live', () => {
    assert.equal(readShowHealth(showsWith(null, [output('destination', 1)])), null, 'starting or stopping');
    assert.equal(readShowHealth(showsWith(metrics, null)), null);
  });
});
