// The data disk in the health check and in pre-flight: the same levels as the recorder's
// (src/recordings/limits.ts), said with the figures and what to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskCheck } from '../../../src/app/preflight.ts';
import { evaluateDisk, evaluateHealth, type HealthInput } from '../../../src/health/evaluate.ts';
import { SystemSampler } from '../../../src/health/system.ts';
import { judgeDiskSpace, type DiskVerdict } from '../../../src/recordings/free-space.ts';
import { recordingLimitsFromEnv } from '../../../src/config.ts';
import { tempDir } from '../../helpers/temp.ts';

const GB = 1e9;
const limits = recordingLimitsFromEnv({});
const onCard = (freeBytes: number): DiskVerdict =>
  judgeDiskSpace({ path: '/data', totalBytes: 32 * GB, freeBytes }, limits);

/** Nothing on air: only the machine (and alerts) are judged. */
function idle(disk: DiskVerdict | null): HealthInput {
  return {
    running: false,
    uptimeSeconds: 0,
    fps: { actual: null, target: 30 },
    ticks: { total: 0, late: 0, latePerSecond: null },
    droppedFrames: { total: 0, perSecond: null },
    encoder: { state: 'idle', restarts: 0, cpuPercent: null, backlogFrames: 0, encodeMsPerFrame: null },
    bitrate: { currentKbps: null, targetKbps: 0 },
    destinations: [],
    sources: [],
    fallback: { mode: 'none' },
    degraded: { level: 0 },
    system: { cpuPercent: 20, temperatureC: null, disk },
    alerts: { info: 0, warning: 0, error: 0, critical: 0 },
  };
}

describe('health: the data disk', () => {
  it('room to spare (or not measured): nothing to say', () => {
    assert.deepEqual(evaluateHealth(idle(onCard(12 * GB))), { status: 'healthy', warnings: [], errors: [] });
    assert.equal(evaluateHealth(idle(null)).status, 'healthy');
  });

  it('below 3 GB free on a 32 GB card: degraded, with the figures and what to do', () => {
    const report = evaluateHealth(idle(onCard(2_500_000_000)));
    assert.equal(report.status, 'degraded');
    assert.deepEqual(report.errors, []);
    assert.match(report.warnings[0]!, /running low \(2\.5 GB free of 32 GB on the data disk\)/);
    assert.match(report.warnings[0]!, /below 1\.0 GB free recording stops/);
    assert.match(report.warnings[0]!, /Copy the recordings you want to keep off the appliance/);
  });

  it('below 1 GB: unhealthy', () => {
    const report = evaluateHealth(idle(onCard(600_000_000)));
    assert.equal(report.status, 'unhealthy');
    assert.match(report.errors[0]!, /nearly full \(600 MB free of 32 GB on the data disk\)/);
  });

  it('with nothing on air, the disk alone', () => {
    assert.deepEqual(evaluateDisk(onCard(12 * GB)), { status: 'healthy', warnings: [], errors: [] });
    assert.deepEqual(evaluateDisk(onCard(600_000_000)), evaluateHealth(idle(onCard(600_000_000))));
    assert.equal(evaluateDisk(null).status, 'healthy');
  });

  it('the sampler reads the data folder’s real disk when asked to', () => {
    const dir = tempDir('vistter-disk-');
    try {
      const sample = new SystemSampler({ diskPath: dir.path }).sample();
      assert.ok(sample.disk && sample.disk.totalBytes > 0 && sample.disk.freeBytes <= sample.disk.totalBytes);
      assert.equal('disk' in new SystemSampler().sample(), false, 'not without a folder');
      assert.equal(new SystemSampler({ diskPath: `${dir.path}/missing` }).sample().disk, null);
    } finally {
      dir.cleanup();
    }
  });
});

describe('pre-flight: disk space', () => {
  it('ok: the free space in the summary', () => {
    const check = diskCheck({ mediaRoot: '/data', disk: () => onCard(12 * GB) });
    assert.deepEqual(
      [check.id, check.label, check.status, check.summary, check.remediation],
      ['disk', 'Disk space', 'ok', '12 GB free of 32 GB on the data disk', null],
    );
  });

  it('low: a warning saying what happens next', () => {
    const check = diskCheck({
      mediaRoot: '/data',
      disk: () => onCard(2 * GB),
      localOutputs: { recording: true },
    });
    assert.equal(check.status, 'warn');
    assert.equal(check.summary, 'Running low: 2.0 GB free of 32 GB on the data disk');
    assert.match(check.remediation!, /oldest recordings are removed.*below 1\.0 GB the recording stops/);
  });

  it('below the reserve: fails (the recording would stop at once, the database may not save)', () => {
    const recording = diskCheck({
      mediaRoot: '/data',
      disk: () => onCard(500_000_000),
      localOutputs: { recording: true },
    });
    assert.equal(recording.status, 'fail');
    assert.equal(recording.summary, 'Only 500 MB free of 32 GB on the data disk');
    assert.match(recording.remediation!, /the recording would stop at once and the database may be unable/);
    const notRecording = diskCheck({ mediaRoot: '/data', disk: () => onCard(500_000_000) });
    assert.equal(notRecording.status, 'fail');
    assert.doesNotMatch(notRecording.remediation!, /recording would stop/);
  });

  it('not measurable: a warning; by default the data folder’s real disk is measured', () => {
    assert.equal(diskCheck({ mediaRoot: '/data', disk: () => null }).status, 'warn');
    const dir = tempDir('vistter-disk-');
    try {
      const check = diskCheck({ mediaRoot: dir.path });
      assert.match(check.summary, /free of .* on the data disk$/);
    } finally {
      dir.cleanup();
    }
  });
});
