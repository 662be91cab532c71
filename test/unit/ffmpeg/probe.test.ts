import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeError, parseProbeJson, parseRational, probe, probeArgs } from '../../../src/ffmpeg/probe.ts';
import type { Runner } from '../../../src/ffmpeg/run.ts';

const fixture: unknown = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/ffmpeg/ffprobe/ntsc-h264-aac.json'), 'utf8'),
);

describe('probeArgs', () => {
  it('a file: streams and format as JSON', () => {
    assert.deepEqual(probeArgs('/data/a.mp4'), [
      '-hide_banner',
      '-loglevel',
      'level+error',
      '-of',
      'json',
      '-show_streams',
      '-show_format',
      '-i',
      '/data/a.mp4',
    ]);
  });

  it('a camera with frames, intervals and a socket timeout', () => {
    assert.deepEqual(
      probeArgs('rtsp://cam/1', {
        showFrames: true,
        readIntervals: '%+2',
        selectStreams: 'v',
        timeoutMs: 10_000,
      }),
      [
        '-hide_banner',
        '-loglevel',
        'level+error',
        '-rtsp_transport',
        'tcp',
        '-timeout',
        '5000000',
        '-of',
        'json',
        '-show_streams',
        '-show_format',
        '-show_frames',
        '-read_intervals',
        '%+2',
        '-select_streams',
        'v',
        '-i',
        'rtsp://cam/1',
      ],
    );
    assert.deepEqual(probeArgs('http://h/x.m3u8', { ioTimeoutSeconds: 3, showPackets: true }).slice(3, 5), [
      '-rw_timeout',
      '3000000',
    ]);
  });
});

describe('parseProbeJson (captured ffprobe 5.1 output)', () => {
  it('typed summary of a 29.97 fps H.264 + AAC file', () => {
    const r = parseProbeJson(fixture);
    assert.equal(r.formatName, 'mov,mp4,m4a,3gp,3g2,mj2');
    assert.equal(r.durationSeconds, 1.001);
    assert.equal(r.width, 320);
    assert.equal(r.height, 180);
    assert.ok(Math.abs(r.fps! - 30000 / 1001) < 1e-9);
    assert.equal(r.videoCodec, 'h264');
    assert.equal(r.video?.profile, 'Main');
    assert.equal(r.video?.level, 13);
    assert.equal(r.video?.pixFmt, 'yuv420p');
    assert.equal(r.audioCodec, 'aac');
    assert.equal(r.audio?.sampleRate, 48000);
    assert.equal(r.audio?.channels, 2);
    assert.equal(r.audio?.channelLayout, 'stereo');
    assert.equal(r.audio?.fps, null);
    assert.equal(r.hasAudio, true);
  });

  it('interleaved packets_and_frames are split', () => {
    const r = parseProbeJson(fixture);
    assert.deepEqual(
      r.packets!.map((p) => [p.codecType, p.ptsTime, p.keyframe]),
      [
        ['video', 0, true],
        ['video', 0.133467, false],
        ['audio', -0.021333, true],
      ],
    );
    assert.deepEqual(r.frames, [
      { mediaType: 'video', streamIndex: 0, keyFrame: true, ptsTime: 0, pictType: 'I' },
      { mediaType: 'video', streamIndex: 0, keyFrame: false, ptsTime: 0.133467, pictType: 'P' },
    ]);
  });

  it('tolerates missing fields; rejects non-objects', () => {
    const r = parseProbeJson({
      streams: [{ codec_type: 'audio', codec_name: 'aac', sample_rate: '44100' }],
      format: {},
    });
    assert.equal(r.hasAudio, true);
    assert.equal(r.video, null);
    assert.equal(r.width, null);
    assert.equal(r.durationSeconds, null);
    assert.equal(r.audio?.sampleRate, 44100);
    assert.throws(() => parseProbeJson([]), ProbeError);
  });

  it('parseRational', () => {
    assert.equal(parseRational('30/1'), 30);
    assert.equal(parseRational('0/0'), null);
    assert.equal(parseRational('25'), 25);
    assert.equal(parseRational('x'), null);
  });
});

describe('probe with an injected runner', () => {
  it('maps a timeout and a classified failure to ProbeError kinds', async () => {
    const timedOut: Runner = async () => ({
      code: null,
      signal: 'SIGKILL',
      stdout: '',
      stderr: '',
      timedOut: true,
    });
    await assert.rejects(probe('x.mp4', { run: timedOut, timeoutMs: 100 }), {
      name: 'ProbeError',
      kind: 'timeout',
    });
    const denied: Runner = async () => ({
      code: 1,
      signal: null,
      stdout: '',
      stderr: '[error] rtsp://u:pw@cam/1: Server returned 401 Unauthorized (authorization failed)\n',
      timedOut: false,
    });
    await assert.rejects(probe('rtsp://u:pw@cam/1', { run: denied }), (e: unknown) => {
      assert.ok(e instanceof ProbeError);
      assert.equal(e.kind, 'unauthorized');
      assert.ok(!e.message.includes(':pw@'), e.message);
      return true;
    });
    const garbage: Runner = async () => ({
      code: 0,
      signal: null,
      stdout: 'not json',
      stderr: '',
      timedOut: false,
    });
    await assert.rejects(probe('x.mp4', { run: garbage }), { kind: 'bad_output' });
  });
});
