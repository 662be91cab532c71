// The health graphs' model (web/src/pages/control-room/health-graphs-model.ts): lines broken
// where a show was off air or a sample is missing, the figures beside each graph, the path drawn
// and the sentence a screen reader reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthHistory, HealthSample } from '../../../src/domain/health-history.ts';
import {
  describeGraph,
  graphModel,
  HEALTH_METRICS,
  latestText,
  niceCeiling,
  pathOf,
  rangeText,
  type HealthMetric,
} from '../../../web/src/pages/control-room/health-graphs-model.ts';

const TO = Date.parse('2026-12-06T15:00:00Z');
const FROM = TO - 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const spec = (metric: HealthMetric) => HEALTH_METRICS.find((s) => s.metric === metric)!;

const onAir = (secondsBeforeEnd: number, fields: Partial<HealthSample> = {}): HealthSample => ({
  at: iso(TO - secondsBeforeEnd * 1000),
  onAir: true,
  executionId: 1,
  bitrateKbps: 2500,
  fps: 30,
  droppedFrames: 0,
  systemCpuPercent: 50,
  reconnects: 0,
  ...fields,
});
const offAir = (secondsBeforeEnd: number): HealthSample => ({
  at: iso(TO - secondsBeforeEnd * 1000),
  onAir: false,
  executionId: null,
  bitrateKbps: null,
  fps: null,
  droppedFrames: null,
  systemCpuPercent: null,
  reconnects: null,
});
const history = (samples: HealthSample[]): HealthHistory => ({
  intervalSeconds: 10,
  from: iso(FROM),
  to: iso(TO),
  samples,
});

describe('health graphs model', () => {
  it('breaks the line at a gap marker and at a missing sample, never drawing zeros', () => {
    const model = graphModel(
      history([
        onAir(600, { fps: 30 }),
        onAir(590, { fps: 29 }),
        offAir(580), // the show went off air
        onAir(300, { fps: 25 }),
        onAir(290, { fps: 26 }),
        // 280 missing: the appliance was restarting
        onAir(270, { fps: 27 }),
        onAir(0, { fps: 28.44 }), // alone after a long gap
      ]),
      spec('fps'),
    );
    assert.deepEqual(
      model.segments.map((segment) => segment.map((point) => point.value)),
      [[30, 29], [25, 26], [27], [28.44]],
    );
    assert.equal(model.min, 25);
    assert.equal(model.max, 30);
    assert.equal(model.latest, 28.44);
    assert.equal(latestText(model), '28.4 fps');
    assert.equal(rangeText(model, 60), 'min 25.0 · max 30.0');
    assert.equal(
      describeGraph(model, 60),
      'Frame rate, last 60 minutes: now 28.4 fps; lowest 25.0, highest 30.0 fps, 3 gaps.',
    );
  });

  it('draws each run as its own subpath across the window, a lone sample as a dot', () => {
    const model = graphModel(
      history([
        onAir(3600, { bitrateKbps: 0 }),
        onAir(3590, { bitrateKbps: 2000 }),
        onAir(1800, { bitrateKbps: 1000 }),
      ]),
      spec('bitrateKbps'),
    );
    assert.equal(model.scaleMax, 2000);
    // x: 0 at "from", 240 at "to"; y: 48 at 0 kbps, 0 at the top of the scale.
    assert.equal(pathOf(model, 240, 48), 'M0 48 L0.7 0 M120 24 h0');
  });

  it('sums the counters over the window and says so', () => {
    const model = graphModel(
      history([
        onAir(30, { droppedFrames: 4 }),
        onAir(20, { droppedFrames: 0 }),
        onAir(10, { droppedFrames: 8 }),
      ]),
      spec('droppedFrames'),
    );
    assert.equal(model.total, 12);
    assert.equal(model.scaleMax, 10);
    assert.equal(rangeText(model, 60), '12 in the hour · max 8');
    assert.equal(latestText(model), '8 per 10 s', 'the newest sample (10 s old) is now');
  });

  it('has no "now" when the newest sample is old or a gap marker, and says when there is nothing', () => {
    const old = graphModel(history([onAir(900), onAir(890)]), spec('systemCpuPercent'));
    assert.equal(old.latest, null);
    assert.equal(old.scaleMax, 100, 'CPU is drawn against 100 %');
    assert.match(
      describeGraph(old, 60),
      /^CPU, last 60 minutes: no show on air now; lowest 50, highest 50 %\.$/,
    );
    const ended = graphModel(history([onAir(20), offAir(10)]), spec('reconnects'));
    assert.equal(ended.latest, null);
    const empty = graphModel(history([]), spec('bitrateKbps'));
    assert.equal(pathOf(empty, 240, 48), '');
    assert.equal(rangeText(empty, 60), 'no samples');
    assert.equal(describeGraph(empty, 60), 'Bitrate, last 60 minutes: no samples (no show on air).');
  });

  it('rounds the scale up to 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual(
      [0, 0.5, 1, 3, 10, 11, 2600, 5000, 5001].map(niceCeiling),
      [1, 1, 1, 5, 10, 20, 5000, 5000, 10000],
    );
  });
});
