import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MASK,
  redactArgv,
  redactLogLine,
  redactText,
  redactUrl,
  redactValue,
} from '../../../src/core/redact.ts';

describe('redactUrl', () => {
  it('hides stream keys in RTMP paths, keeping the application', () => {
    assert.equal(
      redactUrl('rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl'),
      'rtmp://a.rtmp.youtube.com/live2/****',
    );
    assert.equal(redactUrl('rtmp://live.twitch.tv/app/live_1_x'), 'rtmp://live.twitch.tv/app/****');
    assert.equal(
      redactUrl('rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1&s_sc=2'),
      'rtmps://live-api-s.facebook.com:443/rtmp/****?s_bl=****&s_sc=****',
    );
    assert.equal(redactUrl('rtmp://host/app/instance/KEY'), 'rtmp://host/app/****');
  });

  it('hides passwords (also with an unencoded "/" or "@" in them) but keeps the user name', () => {
    assert.equal(
      redactUrl('rtsp://admin:s3cr:et@192.168.1.20:554/Streaming/Channels/101'),
      'rtsp://admin:****@192.168.1.20:554/Streaming/Channels/101',
    );
    assert.equal(redactUrl('rtsp://admin:pa/ss@cam.local/stream1'), 'rtsp://admin:****@cam.local/stream1');
    assert.equal(redactUrl('rtsp://admin:1234/5@cam.local/s'), 'rtsp://admin:****@cam.local/s');
    assert.equal(redactUrl('rtsp://admin:p@ss@cam.local/s'), 'rtsp://admin:****@cam.local/s');
    assert.equal(redactUrl('https://ghp_TOKEN@api.example.com/x'), 'https://****@api.example.com/x');
  });

  it('hides every query value, a fragment and token-like path segments', () => {
    assert.equal(
      redactUrl('srt://h:9000?streamid=secret&passphrase=pw'),
      'srt://h:9000?streamid=****&passphrase=****',
    );
    assert.equal(redactUrl('http://a:b@host:8080/x/y?k=v#f'), 'http://a:****@host:8080/x/y?k=****#****');
    assert.equal(
      redactUrl('https://hooks.example.com/services/T0ABC12345/B0DEF67890/XyZ0123456789abcdefGHIJ'),
      'https://hooks.example.com/services/T0ABC12345/B0DEF67890/****',
    );
    assert.equal(redactUrl('https://h.example/hook?abcdef123456'), 'https://h.example/hook?****');
  });

  it('leaves key-less URLs and plain paths alone', () => {
    for (const plain of [
      'rtmp://10.0.0.2/live',
      'rtmp://10.0.0.2/live/',
      'rtsp://cam.local/stream1',
      'rtsp://[fe80::1]:554/Streaming/Channels/101',
      'http://example.net/media/background-1080p-2025.png',
      '/data/a.mp4',
      'pipe:1',
      'not a url',
    ]) {
      assert.equal(redactUrl(plain), plain);
    }
  });
});

describe('redactText and redactArgv', () => {
  it('masks every URL in an ffmpeg stderr line, keeping the punctuation after it', () => {
    assert.equal(
      redactText('rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl: Input/output error'),
      'rtmp://a.rtmp.youtube.com/live2/****: Input/output error',
    );
    assert.equal(
      redactText("Input #0, rtsp, from 'rtsp://admin:hunter22@10.0.0.5/live':"),
      "Input #0, rtsp, from 'rtsp://admin:****@10.0.0.5/live':",
    );
  });

  it('masks secret=value outside URLs', () => {
    assert.equal(redactText('-passphrase=longpassphrase1 -token=abc'), `-passphrase=${MASK} -token=${MASK}`);
    assert.equal(redactText('alert key=camera:2:offline'), 'alert key=camera:2:offline');
  });

  it('masks URLs inside tee slaves and keeps the argv length', () => {
    const argv = [
      '-i',
      'pipe:0',
      '-f',
      'tee',
      '[f=flv:onfail=ignore]rtmp://h/app/SECRET1|[f=flv]rtmp://h/app/SECRET2',
    ];
    const shown = redactArgv(argv);
    assert.equal(shown.length, argv.length);
    assert.equal(shown.join(' ').includes('SECRET'), false, shown.join(' '));
    assert.equal(shown[4], '[f=flv:onfail=ignore]rtmp://h/app/****|[f=flv]rtmp://h/app/****');
  });
});

describe('redactValue and redactLogLine', () => {
  it('walks objects and arrays; fields named like secrets are replaced whole', () => {
    assert.deepEqual(
      redactValue({
        url: 'rtsp://u:pw12345@cam/x',
        nested: [{ msg: 'to rtmp://h/app/KEY1 failed' }],
        password: 'hunter22',
        streamKey: 'KEY2',
        count: 3,
        none: null,
      }),
      {
        url: 'rtsp://u:****@cam/x',
        nested: [{ msg: 'to rtmp://h/app/**** failed' }],
        password: '[redacted]',
        streamKey: '[redacted]',
        count: 3,
        none: null,
      },
    );
  });

  it('keeps a log line valid JSON with its newline, and untouched when nothing looks secret', () => {
    const plain = '{"level":30,"msg":"child spawned","pid":12}\n';
    assert.equal(redactLogLine(plain), plain);
    const line = `${JSON.stringify({ level: 50, msg: 'failed: rtmp://h/app/KEY3\nat x', err: { stack: 'Error: rtsp://a:KEY4@c/s' } })}\n`;
    const out = redactLogLine(line);
    assert.ok(out.endsWith('\n'));
    const parsed = JSON.parse(out) as { msg: string; err: { stack: string } };
    assert.equal(parsed.msg, 'failed: rtmp://h/app/****\nat x');
    assert.equal(parsed.err.stack, 'Error: rtsp://a:****@c/s');
  });
});
