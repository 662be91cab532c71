import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTING_GRACE_SECONDS,
  DROPPED_FRAMES_ERROR_PER_SECOND,
  ENCODER_BACKLOG_WARN_SECONDS,
  evaluateHealth,
  FPS_ERROR_RATIO,
  FPS_WARN_RATIO,
  PUBLISHER_BUFFER_WARN_PERCENT,
  TEMPERATURE_ERROR_C,
  TEMPERATURE_WARN_C,
  WARMUP_SECONDS,
  type DestinationHealthInput,
  type HealthInput,
} from '../../../src/health/evaluate.ts';

function destination(overrides: Partial<DestinationHealthInput> = {}): DestinationHealthInput {
  return {
    id: '1',
    name: 'YouTube',
    state: 'live',
    bitrateKbps: 4628,
    bytesSent: 1_000_000,
    bufferFullnessPercent: 2,
    ...overrides,
  };
}

/** A show running well for ten minutes. */
function healthy(overrides: Partial<HealthInput> = {}): HealthInput {
  return {
    running: true,
    uptimeSeconds: 600,
    fps: { actual: 30, target: 30 },
    ticks: { total: 18_000, late: 3, latePerSecond: 0 },
    droppedFrames: { total: 0, perSecond: 0 },
    encoder: { state: 'running', restarts: 0, cpuPercent: 40, backlogFrames: 1, encodeMsPerFrame: 9.5 },
    bitrate: { currentKbps: 4600, targetKbps: 4628 },
    destinations: [destination(), destination({ id: '2', name: 'Facebook' })],
    sources: [{ key: 'camera:1', name: 'Camera 1', state: 'running', frameAgeMs: 33 }],
    fallback: { mode: 'none' },
    degraded: { level: 0 },
    system: { cpuPercent: 55, temperatureC: 58 },
    alerts: { info: 2, warning: 1, error: 0, critical: 0 },
    ...overrides,
  };
}

describe('evaluateHealth', () => {
  it('a show running well is healthy with nothing to say', () => {
    assert.deepEqual(evaluateHealth(healthy()), { status: 'healthy', warnings: [], errors: [] });
  });

  it('a busy CPU alone is not a health problem: the show’s own symptoms are (issue 13)', () => {
    const report = evaluateHealth(healthy({ system: { cpuPercent: 100, temperatureC: null } }));
    assert.equal(report.status, 'healthy');
    assert.deepEqual(report.warnings, []);
    const suffering = evaluateHealth(
      healthy({
        system: { cpuPercent: 100, temperatureC: null },
        droppedFrames: { total: 400, perSecond: 8 },
      }),
    );
    assert.equal(suffering.status, 'unhealthy');
  });

  it('spec: more than 5 dropped frames per second is an error (unhealthy); fewer is a warning', () => {
    const bad = evaluateHealth(healthy({ droppedFrames: { total: 400, perSecond: 8 } }));
    assert.equal(bad.status, 'unhealthy');
    assert.match(bad.errors[0]!, /Dropping 8 frames per second: viewers see stutter/);
    const edge = evaluateHealth(
      healthy({ droppedFrames: { total: 400, perSecond: DROPPED_FRAMES_ERROR_PER_SECOND } }),
    );
    assert.equal(edge.status, 'degraded');
    assert.match(edge.warnings[0]!, /Dropping 5 frames per second/);
  });

  it('spec: a disconnected destination is an error naming it; connecting is fine within the grace', () => {
    const retrying = evaluateHealth(
      healthy({
        destinations: [destination(), destination({ id: '2', name: 'Facebook', state: 'retrying' })],
      }),
    );
    assert.equal(retrying.status, 'unhealthy');
    assert.deepEqual(retrying.errors, [
      'Facebook is disconnected and reconnecting by itself; its viewers see nothing meanwhile. If it lasts, check the internet connection.',
    ]);
    const failing = evaluateHealth(healthy({ destinations: [destination({ state: 'failing' })] }));
    assert.match(failing.errors[0]!, /YouTube keeps failing.*stream key/);

    const connecting = (seconds: number) =>
      evaluateHealth(
        healthy({ destinations: [destination({ state: 'connecting', stateSeconds: seconds })] }),
      );
    assert.equal(connecting(CONNECTING_GRACE_SECONDS - 1).status, 'healthy');
    assert.deepEqual(connecting(45).warnings, [
      'YouTube is still connecting after 45 s. Check the internet connection and the server address.',
    ]);
    assert.equal(
      evaluateHealth(healthy({ destinations: [destination({ state: 'stopped' })] })).status,
      'healthy',
    );
  });

  it('a destination whose send buffer fills is a warning', () => {
    const report = evaluateHealth(
      healthy({ destinations: [destination({ bufferFullnessPercent: PUBLISHER_BUFFER_WARN_PERCENT + 5 })] }),
    );
    assert.equal(report.status, 'degraded');
    assert.match(report.warnings[0]!, /YouTube cannot keep up \(its send buffer is 80 % full\)/);
  });

  it('on a backup camera: degraded, naming both cameras; on the slate: unhealthy', () => {
    const backup = evaluateHealth(
      healthy({ fallback: { mode: 'backup', scheduled: 'Camera 2', replacement: 'Camera 3' } }),
    );
    assert.equal(backup.status, 'degraded');
    assert.deepEqual(backup.warnings, [
      'Camera 2 is off air; its backup Camera 3 is on air. Check Camera 2’s power and network; the show returns to it by itself.',
    ]);
    const slate = evaluateHealth(healthy({ fallback: { mode: 'slate', scheduled: 'Camera 2' } }));
    assert.equal(slate.status, 'unhealthy');
    assert.match(slate.errors[0]!, /slate is on air: Camera 2 has no picture and no backup is ready/);
  });

  it('output frame rate below target: a warning, then an error; ignored while warming up', () => {
    const at = (actual: number, uptimeSeconds = 600) =>
      evaluateHealth(healthy({ uptimeSeconds, fps: { actual, target: 30 } }));
    assert.equal(at(30 * FPS_WARN_RATIO).status, 'healthy');
    assert.equal(at(27).status, 'degraded');
    assert.match(at(27).warnings[0]!, /27 of 30 frames per second/);
    assert.equal(at(30 * FPS_ERROR_RATIO - 1).status, 'unhealthy');
    assert.equal(at(10, WARMUP_SECONDS - 1).status, 'healthy');
  });

  it('encoder: not running is an error (after the warm-up), a backlog and high CPU are warnings', () => {
    const encoder = healthy().encoder;
    const down = evaluateHealth(healthy({ encoder: { ...encoder, state: 'backoff', restarts: 2 } }));
    assert.equal(down.status, 'unhealthy');
    assert.match(down.errors[0]!, /encoder is not running \(backoff, 2 restarts so far\)/);
    const gaveUp = evaluateHealth(healthy({ encoder: { ...encoder, state: 'failed', restarts: 10 } }));
    assert.match(gaveUp.errors[0]!, /gave up restarting \(10 restarts\).*Restart the show/);
    assert.equal(
      evaluateHealth(healthy({ uptimeSeconds: 2, encoder: { ...encoder, state: 'starting' } })).status,
      'healthy',
    );
    const behind = evaluateHealth(
      healthy({ encoder: { ...encoder, backlogFrames: Math.ceil(30 * ENCODER_BACKLOG_WARN_SECONDS) + 2 } }),
    );
    assert.match(behind.warnings[0]!, /encoder is falling behind \(0\.33 s of frames waiting\)/);
    const hot = evaluateHealth(healthy({ encoder: { ...encoder, cpuPercent: 85 } }));
    assert.match(hot.warnings[0]!, /encoder uses 85 % of the machine/);
    const flappy = evaluateHealth(healthy({ encoder: { ...encoder, restarts: 4 } }));
    assert.match(flappy.warnings[0]!, /restarted 4 times/);
  });

  it('temperature: a warning when warm, an error when throttling, nothing when there is no sensor', () => {
    const at = (temperatureC: number | null) =>
      evaluateHealth(healthy({ system: { cpuPercent: 50, temperatureC } }));
    assert.equal(at(null).status, 'healthy');
    assert.equal(at(TEMPERATURE_WARN_C - 1).status, 'healthy');
    assert.match(at(78).warnings[0]!, /CPU is at 78 °C/);
    assert.equal(at(TEMPERATURE_ERROR_C).status, 'unhealthy');
    assert.match(at(86).errors[0]!, /Improve the cooling/);
  });

  it('a stale or failed source is a warning; one still starting is not', () => {
    const report = evaluateHealth(
      healthy({
        sources: [
          { key: 'camera:1', name: 'Camera 1', state: 'running', frameAgeMs: 33 },
          { key: 'camera:2', name: 'Camera 2', state: 'running', frameAgeMs: 12_400 },
          { key: 'camera:3', state: 'failed', frameAgeMs: null },
          { key: 'camera:4', state: 'starting', frameAgeMs: null },
          { key: 'camera:5', state: 'stopped', frameAgeMs: null },
        ],
      }),
    );
    assert.deepEqual(report.warnings, [
      'Camera 2 has sent no picture for 12 s and is reconnecting. Check its power and network cable.',
      'Camera 3 has stopped and gave up restarting. Check it, then restart the show.',
    ]);
  });

  it('degraded mode, late ticks, low bitrate and open alerts', () => {
    const report = evaluateHealth(
      healthy({
        degraded: { level: 2, reason: 'high CPU' },
        ticks: { total: 18_000, late: 900, latePerSecond: 3 },
        bitrate: { currentKbps: 1200, targetKbps: 4628 },
        alerts: { info: 0, warning: 0, error: 2, critical: 1 },
      }),
    );
    assert.equal(report.status, 'unhealthy');
    assert.deepEqual(report.errors, ['1 critical alert is open. Read the alerts list for what to do.']);
    assert.deepEqual(
      report.warnings.map((w) => w.split(/[:(]/)[0]),
      [
        'The program clock runs late ',
        'The encoder produces 1200 kb/s of its 4628 kb/s target',
        'Running at reduced quality ',
        '2 error alerts are open. Read the alerts list for what to do.',
      ],
    );
  });

  it('no show running: only the machine and alerts are checked', () => {
    const report = evaluateHealth(
      healthy({
        running: false,
        uptimeSeconds: 0,
        fps: { actual: null, target: 30 },
        encoder: {
          state: 'stopped',
          restarts: 0,
          cpuPercent: null,
          backlogFrames: 0,
          encodeMsPerFrame: null,
        },
        destinations: [destination({ state: 'failing' })],
        system: { cpuPercent: 10, temperatureC: 90 },
      }),
    );
    assert.equal(report.status, 'unhealthy');
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0]!, /90 °C/);
    assert.deepEqual(report.warnings, []);
  });

  it('every message is a finished sentence with real numbers, however bad things get', () => {
    const report = evaluateHealth(
      healthy({
        fps: { actual: 12.3456, target: 30 },
        ticks: { total: 1, late: 1, latePerSecond: 9.87 },
        droppedFrames: { total: 99, perSecond: 17.25 },
        encoder: { state: 'failed', restarts: 1, cpuPercent: 99.9, backlogFrames: 60, encodeMsPerFrame: 40 },
        bitrate: { currentKbps: 10, targetKbps: 6000 },
        destinations: [
          destination({ state: 'retrying' }),
          destination({ name: 'Twitch', state: 'connecting' }),
          destination({ name: 'Facebook', bufferFullnessPercent: 99 }),
        ],
        sources: [{ key: 'camera:9', state: 'backoff', frameAgeMs: null }],
        fallback: { mode: 'slate' },
        degraded: { level: 3 },
        system: { cpuPercent: 100, temperatureC: 95 },
        alerts: { info: 9, warning: 9, error: 1, critical: 3 },
      }),
    );
    assert.equal(report.status, 'unhealthy');
    assert.ok(report.errors.length >= 6 && report.warnings.length >= 7);
    for (const message of [...report.errors, ...report.warnings]) {
      assert.match(message, /^[A-Z0-9"].*\.$/, message);
      assert.doesNotMatch(message, /undefined|NaN|null|\d\.\d{3,}/, message);
    }
  });
});

describe('health remediations say where in the UI to act', () => {
  it('"a faster encoder preset" names Settings → Encoder; "the encoder lines" name the Log page and its filter', () => {
    const encoder = healthy().encoder;
    const texts = [
      ...evaluateHealth(healthy({ encoder: { ...encoder, state: 'failed', restarts: 10 } })).errors,
      ...evaluateHealth(healthy({ encoder: { ...encoder, cpuPercent: 85 } })).warnings,
      ...evaluateHealth(healthy({ encoder: { ...encoder, restarts: 4 } })).warnings,
      ...evaluateHealth(
        healthy({ encoder: { ...encoder, backlogFrames: Math.ceil(30 * ENCODER_BACKLOG_WARN_SECONDS) + 2 } }),
      ).warnings,
    ];
    assert.equal(texts.length, 4, texts.join('\n'));
    for (const text of texts) {
      if (/encoder preset/.test(text)) assert.match(text, /faster encoder preset in Settings → Encoder/);
      if (/encoder lines/.test(text)) assert.match(text, /encoder lines in Log \(filter: encoder\)/);
      assert.doesNotMatch(text, /in the log\b/);
    }
  });
});
