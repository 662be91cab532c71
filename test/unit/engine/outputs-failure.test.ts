// Pure parts of the output retry policy: failure classification on real ffmpeg 5.1 stderr
// (test/fixtures/ffmpeg/stderr/ and lines captured from nginx-rtmp), probe targets, the progress
// meter and recording part names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFailure, type FailureFacts } from '../../../src/engine/destinations/failure.ts';
import { OutputMeter } from '../../../src/engine/destinations/meter.ts';
import { probeTargetFromArgs, probeTargetFromUrl } from '../../../src/engine/destinations/probe.ts';
import { nextFreePart, recordingPartPath } from '../../../src/engine/destinations/recording.ts';
import { ERRORS } from '../../../src/errors/registry.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';
import { StderrLineSplitter, classifyErrorLine } from '../../../src/ffmpeg/progress.ts';

const stderrDir = join(import.meta.dirname, '../../fixtures/ffmpeg/stderr');

function fixture(name: string): string[] {
  const s = new StderrLineSplitter();
  return [...s.push(readFileSync(join(stderrDir, `${name}.txt`), 'utf8')), ...s.flush()];
}

function destination(
  stderrTail: readonly string[],
  more: Partial<FailureFacts> = {},
): ReturnType<typeof classifyFailure> {
  return classifyFailure({ output: 'destination', cause: 'crashed', stderrTail, wasLive: false, ...more });
}

describe('classifyFailure: destinations', () => {
  it('connection refused: unreachable, probe, the server is known to be down', () => {
    for (const name of ['publish-connection-refused', 'rtmp-connection-refused']) {
      const f = destination(fixture(name));
      assert.equal(f.kind, 'unreachable', name);
      assert.equal(f.code, 'DESTINATION_UNREACHABLE');
      assert.equal(f.probe, true);
      assert.equal(f.serverDown, true);
    }
  });

  it('a TCP connect that timed out or found no route is unreachable too', () => {
    const timedOut = destination([
      '[tcp @ 0x55d0c0ffee00] [error] Connection to tcp://203.0.113.9:1935?tcp_nodelay=0 failed: Connection timed out',
      '[error] rtmp://203.0.113.9/live2/KEY: Connection timed out',
    ]);
    assert.equal(timedOut.kind, 'unreachable');
    assert.equal(timedOut.serverDown, true);
    const noRoute = destination([
      '[tcp @ 0x55d0c0ffee00] [error] Connection to tcp://10.9.9.9:1935?tcp_nodelay=0 failed: No route to host',
    ]);
    assert.equal(noRoute.kind, 'unreachable');
    assert.equal(
      classifyErrorLine('[error] rtmp://10.9.9.9/live/KEY: Network is unreachable'),
      'host_unreachable',
    );
  });

  it('a server that accepts TCP and never answers: no_response, probed but not known down', () => {
    const f = destination(fixture('publish-rtmp-to-silent-server'));
    assert.equal(f.kind, 'no_response');
    assert.equal(f.code, 'DESTINATION_NO_RESPONSE');
    assert.equal(f.probe, true);
    assert.equal(f.serverDown, false);
  });

  it('DNS failure: probe (resolving again is part of the probe)', () => {
    const f = destination(fixture('dns-failure'));
    assert.equal(f.kind, 'dns_failure');
    assert.equal(f.serverDown, true);
  });

  it('a broken pipe while sending is a lost connection; before sending, a rejection', () => {
    const lines = [
      '[error] av_interleaved_write_frame(): Broken pipe',
      '[error] Error writing trailer of rtmp://127.0.0.1:37059/live/KEY: Broken pipe',
    ];
    const lost = destination(lines, { wasLive: true });
    assert.equal(lost.kind, 'connection_lost');
    assert.equal(lost.probe, true);
    assert.equal(lost.serverDown, false);
    const early = destination(['[error] rtmp://127.0.0.1:38495/nope/KEY: Input/output error']);
    assert.equal(early.kind, 'rejected');
    assert.equal(early.probe, false);
  });

  it('publish refused by the server (already publishing, 403): rejected, plain backoff', () => {
    const busy = destination([
      '[rtmp @ 0x559cb2b69680] [error] Server error: Already publishing',
      '[error] rtmp://127.0.0.1:38495/live/KEY: Operation not permitted',
    ]);
    assert.equal(busy.kind, 'rejected');
    assert.equal(busy.code, 'DESTINATION_REJECTED');
    assert.equal(busy.probe, false);
    assert.equal(destination(fixture('http-403')).kind, 'rejected');
  });

  it('stalled and spawn errors come from the exit cause', () => {
    const stalled = destination([], { cause: 'stalled', silentMs: 10_040, wasLive: true });
    assert.equal(stalled.kind, 'stalled');
    assert.match(stalled.message, /10 s/);
    assert.equal(stalled.probe, true);
    assert.equal(stalled.serverDown, false);
    assert.equal(destination([], { cause: 'spawn-error' }).code, 'OUTPUT_SPAWN_FAILED');
  });

  it('recording and preview: disk errors, otherwise crashed', () => {
    const disk = classifyFailure({
      output: 'recording',
      cause: 'crashed',
      wasLive: true,
      stderrTail: ['[error] Error writing trailer of /data/show.mp4: No space left on device'],
    });
    assert.equal(disk.kind, 'disk_error');
    assert.equal(disk.code, 'OUTPUT_DISK_ERROR');
    const exists = classifyFailure({
      output: 'recording',
      cause: 'crashed',
      wasLive: false,
      stderrTail: ["[error] File '/data/show.mp4' already exists. Exiting."],
    });
    assert.equal(exists.kind, 'crashed'); // ffmpeg's -n message: handled by choosing a new part
    const preview = classifyFailure({ output: 'preview', cause: 'crashed', wasLive: true, stderrTail: [] });
    assert.equal(preview.code, 'OUTPUT_CRASHED');
  });

  it('never echoes stderr: no URL or key in any message; every code is in the registry', () => {
    const names = [
      'publish-connection-refused',
      'publish-rtmp-to-silent-server',
      'dns-failure',
      'http-401',
      'http-403',
      'http-404',
      'broken-pipe',
      'invalid-data',
    ];
    for (const name of names) {
      for (const wasLive of [false, true]) {
        const f = destination(
          fixture(name).map((l) => l.replace(/KEY|cam1/g, 'SECRET-KEY')),
          { wasLive },
        );
        assert.doesNotMatch(f.message, /SECRET|rtmp:|tcp:|127\.0\.0\.1/, `${name}: ${f.message}`);
        assert.equal(f.remediation, ERRORS[f.code].remediation);
        assert.ok(f.message.length > 10 && f.remediation.length > 10);
      }
    }
  });
});

describe('probe targets', () => {
  it('host and port of rtmp/rtmps URLs, with default ports', () => {
    assert.deepEqual(probeTargetFromUrl('rtmp://a.rtmp.youtube.com/live2/abcd-efgh'), {
      host: 'a.rtmp.youtube.com',
      port: 1935,
    });
    assert.deepEqual(probeTargetFromUrl('rtmps://live-api-s.facebook.com:443/rtmp/FB-1'), {
      host: 'live-api-s.facebook.com',
      port: 443,
    });
    assert.deepEqual(probeTargetFromUrl('rtmps://a.rtmps.youtube.com/live2/k'), {
      host: 'a.rtmps.youtube.com',
      port: 443,
    });
    assert.deepEqual(probeTargetFromUrl('rtmp://user:pw@127.0.0.1:40000/live/k'), {
      host: '127.0.0.1',
      port: 40000,
    });
    assert.deepEqual(probeTargetFromUrl('rtmp://[::1]:1936/live/k'), { host: '::1', port: 1936 });
    assert.equal(probeTargetFromUrl('srt://ingest.example.com:9000?streamid=k'), null);
    assert.equal(probeTargetFromUrl('rtmp://host:99999/live'), null);
    assert.equal(probeTargetFromUrl('not a url'), null);
  });

  it('a publisher argv ends with its URL', () => {
    const args = publisherArgs({ url: 'rtmp://127.0.0.1:41000/live/KEY', platform: 'custom' });
    assert.deepEqual(probeTargetFromArgs(args), { host: '127.0.0.1', port: 41000 });
  });
});

describe('OutputMeter', () => {
  it('growth after a baseline, session and total bytes, bitrate over the window', () => {
    const m = new OutputMeter({ windowMs: 5000 });
    m.beginRun();
    assert.equal(m.update({ final: false, sizeBytes: 277 }, 0), false, 'the first report is the baseline');
    assert.equal(m.update({ final: false, sizeBytes: 277 }, 500), false, 'header only: not growing');
    assert.equal(m.bitrateKbps(500), null, 'not a second of samples yet');
    let grew = false;
    for (let t = 1000, size = 277; t <= 10_000; t += 500) {
      size += 25_000; // 25 kB per 0.5 s = 400 kbit/s
      grew = m.update({ final: false, sizeBytes: size }, t);
    }
    assert.equal(grew, true);
    assert.equal(m.bitrateKbps(10_000), 400);
    assert.equal(m.bitrateKbps(14_000), 0, 'reports stopped: nothing is being sent');
    const firstRun = m.sessionBytes;
    m.beginRun();
    assert.equal(m.sessionBytes, 0);
    m.update({ final: false, sizeBytes: 1000 }, 20_000);
    assert.equal(m.totalBytes, firstRun + 1000);
  });

  it('headers alone are not growth: 277 → 450 bytes (sequence headers) is not live', () => {
    const m = new OutputMeter();
    m.beginRun();
    m.update({ final: false, sizeBytes: 277, timeSeconds: 0 }, 0);
    assert.equal(m.update({ final: false, sizeBytes: 450, timeSeconds: 0.5 }, 500), false);
    assert.equal(
      m.update({ final: false, sizeBytes: 450, timeSeconds: 1 }, 1000),
      false,
      'out_time alone is not growth',
    );
    assert.equal(m.update({ final: false, sizeBytes: 12_000, timeSeconds: 1.5 }, 1500), true);
  });

  it("growthBy 'time' (files): the output position counts, not the stepwise size on disk", () => {
    const m = new OutputMeter({ growthBy: 'time' });
    m.beginRun();
    m.update({ final: false, sizeBytes: 28, timeSeconds: 0 }, 0);
    assert.equal(m.update({ final: false, sizeBytes: 28, timeSeconds: 0.5 }, 500), true);
    assert.equal(m.update({ final: false, sizeBytes: 28, timeSeconds: 0.5 }, 1000), false, 'position stuck');
    assert.equal(m.update({ final: false, sizeBytes: 262_172, timeSeconds: 0.5 }, 1500), false);
    assert.equal(m.sessionBytes, 262_172);
  });

  it('without a size (HLS), output time and the bytes handed to ffmpeg stand in', () => {
    const m = new OutputMeter();
    m.beginRun();
    m.update({ final: false, timeSeconds: 0 }, 0, 5000);
    assert.equal(m.update({ final: false, timeSeconds: 0.5 }, 500, 9000), true);
    assert.equal(m.sessionBytes, 9000);
  });
});

describe('recording parts', () => {
  it('name.ext, name.part2.ext, …; an existing file is skipped, never overwritten', () => {
    assert.equal(recordingPartPath('/rec/show.mp4', 1), '/rec/show.mp4');
    assert.equal(recordingPartPath('/rec/show.mp4', 2), '/rec/show.part2.mp4');
    assert.equal(recordingPartPath('/rec/a.b/show', 3), '/rec/a.b/show.part3');
    const existing = new Set(['/rec/show.mp4', '/rec/show.part2.mp4']);
    assert.equal(
      nextFreePart('/rec/show.mp4', 1, (p) => existing.has(p)),
      3,
    );
    assert.equal(
      nextFreePart('/rec/show.mp4', 4, (p) => existing.has(p)),
      4,
    );
    assert.throws(() => recordingPartPath('/rec/show.mp4', 0), RangeError);
  });
});
