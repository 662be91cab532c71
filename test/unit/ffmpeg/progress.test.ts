// Parser tests on real stderr captured from ffmpeg 5.1 (test/fixtures/ffmpeg/stderr/, regenerate
// with test/fixtures/ffmpeg/capture-stderr.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ProgressBlockParser,
  StderrLineSplitter,
  classifyErrorLine,
  parseClock,
  parseLogLine,
  parseStatsLine,
  summarizeErrors,
} from '../../../src/ffmpeg/progress.ts';
import type { FfmpegErrorKind } from '../../../src/ffmpeg/progress.ts';

const dir = join(import.meta.dirname, '../../fixtures/ffmpeg/stderr');

function fixtureLines(name: string): string[] {
  const s = new StderrLineSplitter();
  return [...s.push(readFileSync(join(dir, `${name}.txt`), 'utf8')), ...s.flush()];
}

describe('StderrLineSplitter', () => {
  it('splits on \\r (stats) and \\n (log), across chunk boundaries', () => {
    const s = new StderrLineSplitter();
    assert.deepEqual(s.push('[info] frame=  1 fps'), []);
    assert.deepEqual(s.push('=0.0 time=00:00:00.00    \r[info] frame=    2'), [
      '[info] frame=  1 fps=0.0 time=00:00:00.00',
    ]);
    assert.deepEqual(s.push(' time=00:00:00.03\r\n[error] boom\n\n'), [
      '[info] frame=    2 time=00:00:00.03',
      '[error] boom',
    ]);
    assert.deepEqual(s.push('tail'), []);
    assert.deepEqual(s.flush(), ['tail']);
    assert.deepEqual(s.flush(), []);
  });

  it('cuts a runaway line at maxLineLength', () => {
    const s = new StderrLineSplitter(10);
    assert.deepEqual(s.push('x'.repeat(25)), ['x'.repeat(10)]);
    assert.deepEqual(s.push('yz\n'), ['yz']);
  });
});

describe('parseLogLine', () => {
  it('component and level tags', () => {
    assert.deepEqual(parseLogLine('[tcp @ 0x55d0c0ffee00] [error] Connection refused'), {
      level: 'error',
      component: 'tcp',
      message: 'Connection refused',
    });
    assert.deepEqual(parseLogLine('[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5] [warning] low score'), {
      level: 'warning',
      component: 'mov,mp4,m4a,3gp,3g2,mj2',
      message: 'low score',
    });
    assert.deepEqual(parseLogLine('[fatal] pipe:0: could not find codec parameters'), {
      level: 'fatal',
      component: null,
      message: 'pipe:0: could not find codec parameters',
    });
    assert.deepEqual(parseLogLine('Press [q] to stop'), {
      level: null,
      component: null,
      message: 'Press [q] to stop',
    });
  });
});

describe('parseStatsLine', () => {
  it('the classic line from the brief', () => {
    assert.deepEqual(
      parseStatsLine(
        'frame= 123 fps= 30 q=23.0 size= 1024kB time=00:00:04.10 bitrate=2046.1kbits/s speed=1.00x',
      ),
      {
        final: false,
        frame: 123,
        fps: 30,
        q: 23,
        sizeBytes: 1024 * 1024,
        timeSeconds: 4.1,
        bitrateKbps: 2046.1,
        speed: 1,
      },
    );
  });

  it('captured slate run: progress increases, last report is final', () => {
    const stats = fixtureLines('stats-slate')
      .map(parseStatsLine)
      .filter((p) => p !== null);
    assert.ok(stats.length >= 3);
    assert.deepEqual(stats[0], {
      final: false,
      frame: 1,
      fps: 0,
      q: -0,
      sizeBytes: 84 * 1024,
      timeSeconds: 0.03,
      bitrateKbps: 20736.2,
      speed: 33.3,
    });
    const last = stats.at(-1)!;
    assert.equal(last.final, true);
    assert.equal(last.frame, 36);
    assert.equal(last.timeSeconds, 1.2);
    for (let i = 1; i < stats.length; i++) assert.ok(stats[i]!.frame! >= stats[i - 1]!.frame!);
  });

  it('N/A values are left out; negative and audio-only lines parse', () => {
    assert.deepEqual(
      parseStatsLine('[info] frame=    1 fps=0.0 q=0.0 size=N/A time=00:00:00.00 bitrate=N/A speed=N/A    '),
      { final: false, frame: 1, fps: 0, q: 0, timeSeconds: 0 },
    );
    assert.deepEqual(parseStatsLine('size=     256kB time=-00:00:00.04 bitrate=N/A speed=   0x'), {
      final: false,
      sizeBytes: 256 * 1024,
      timeSeconds: -0.04,
      speed: 0,
    });
    assert.equal(
      parseStatsLine(
        'frame= 50 fps= 25 q=28.0 q=27.0 size= 10kB time=00:00:02.00 bitrate= 41.0kbits/s dup=3 drop=1 speed=1x',
      )!.q,
      28,
    );
    assert.equal(
      parseStatsLine(
        'frame= 50 fps= 25 q=28.0 size= 10kB time=00:00:02.00 bitrate= 41.0kbits/s dup=3 drop=1 speed=1x',
      )!.drop,
      1,
    );
  });

  it('ignores every non-stats line', () => {
    for (const line of fixtureLines('broken-pipe').filter((l) => !l.includes('frame='))) {
      assert.equal(parseStatsLine(line), null, line);
    }
    assert.equal(parseStatsLine('[info] video:3038kB audio:225kB subtitle:0kB'), null);
  });

  it('parseClock', () => {
    assert.equal(parseClock('01:02:03.50'), 3723.5);
    assert.equal(parseClock('-00:00:01.00'), -1);
    assert.equal(parseClock('N/A'), null);
  });
});

describe('ProgressBlockParser (-progress key=value)', () => {
  it('emits one progress per block', () => {
    const p = new ProgressBlockParser();
    const block = [
      'frame=90',
      'fps=29.97',
      'stream_0_0_q=23.0',
      'bitrate=4510.2kbits/s',
      'total_size=1691392',
      'out_time_us=3000000',
      'out_time_ms=3000000',
      'out_time=00:00:03.000000',
      'dup_frames=0',
      'drop_frames=2',
      'speed=1.01x',
    ];
    for (const l of block) assert.equal(p.push(l), null);
    assert.deepEqual(p.push('progress=continue'), {
      final: false,
      frame: 90,
      fps: 29.97,
      q: 23,
      sizeBytes: 1691392,
      timeSeconds: 3,
      bitrateKbps: 4510.2,
      speed: 1.01,
      dup: 0,
      drop: 2,
    });
    p.push('bitrate=N/A');
    p.push('total_size=N/A');
    assert.deepEqual(p.push('progress=end'), { final: true });
  });
});

describe('classifyErrorLine on captured stderr', () => {
  const expected: Record<string, FfmpegErrorKind> = {
    'rtmp-connection-refused': 'connection_refused',
    'rtsp-connection-refused': 'connection_refused',
    'publish-connection-refused': 'connection_refused',
    'publish-rtmp-refused': 'connection_refused',
    'http-401': 'unauthorized',
    'rtsp-401': 'unauthorized',
    'http-403': 'forbidden',
    'http-404': 'not_found',
    'rtsp-404': 'not_found',
    'http-timeout': 'timeout',
    'publish-rtmp-to-silent-server': 'timeout',
    // ffmpeg 5.1 reports an RTSP handshake timeout as invalid data; frame-age watchdogs catch stalls.
    'rtsp-timeout': 'invalid_data',
    'dns-failure': 'dns_failure',
    'invalid-data': 'invalid_data',
    'no-such-file': 'no_such_file',
    'no-output-stream': 'no_output_stream',
    'broken-pipe': 'broken_pipe',
    'hw-v4l2m2m': 'hardware_unavailable',
    'hw-vaapi': 'hardware_unavailable',
    'hw-qsv': 'hardware_unavailable',
    'hw-nvenc': 'hardware_unavailable',
  };
  for (const [name, kind] of Object.entries(expected)) {
    it(`${name} → ${kind}`, () => {
      const summary = summarizeErrors(fixtureLines(name));
      assert.ok(summary, `no error found in ${name}`);
      assert.equal(summary.kind, kind, summary.line);
    });
  }

  it('a normal run has no errors', () => {
    assert.equal(summarizeErrors(fixtureLines('stats-slate')), null);
  });

  it('single lines', () => {
    assert.equal(
      classifyErrorLine('[error] rtmp://h/live/k: Server returned 403 Forbidden (access denied)'),
      'forbidden',
    );
    assert.equal(classifyErrorLine('[info] Stream #0:0: Video: h264 (High), yuv420p'), null);
    assert.equal(classifyErrorLine('[error] Error writing trailer of pipe:1: Broken pipe'), 'broken_pipe');
    assert.equal(
      classifyErrorLine('[error] av_interleaved_write_frame(): Connection reset by peer'),
      'connection_reset',
    );
    assert.equal(classifyErrorLine("[error] Unknown encoder 'h264_foo'"), 'encoder_unavailable');
    assert.equal(classifyErrorLine('plain untagged: Connection refused'), 'connection_refused');
  });
});
