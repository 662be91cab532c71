// The destination test's ffmpeg command (golden) and what a finished run means in words: the
// stream key stays in the argv's URL only, never in the sentence a person reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTestRun, destinationTestArgs, hostOf } from '../../../src/app/destination-test.ts';

const KEY = 'live_secret_x9k2';
const URL_WITH_KEY = `rtmp://a.example/live2/${KEY}`;

function progress(frame: number, totalSize: number): Buffer {
  return Buffer.from(
    `frame=${frame}\nfps=30.00\ntotal_size=${totalSize}\nout_time_us=4000000\nprogress=end\n`,
  );
}

describe('destinationTestArgs', () => {
  it('publishes testsrc2 with a tone, small, in real time, for the given seconds (golden)', () => {
    const args = destinationTestArgs({
      url: URL_WITH_KEY,
      seconds: 4,
      fps: 30,
      width: 320,
      height: 180,
      networkTimeoutSeconds: 8,
    });
    assert.deepEqual(args, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+warning',
      '-nostats',
      '-progress',
      'pipe:1',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=30',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-t',
      '4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '30',
      '-b:v',
      '400k',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-ac',
      '2',
      '-rw_timeout',
      '8000000',
      '-f',
      'flv',
      '-flvflags',
      'no_duration_filesize',
      URL_WITH_KEY,
    ]);
  });

  it('sends MPEG-TS to an SRT server and refuses other schemes', () => {
    const args = destinationTestArgs({
      url: 'srt://ingest.example:9000?streamid=abc',
      seconds: 2,
      fps: 25,
      width: 320,
      height: 180,
      networkTimeoutSeconds: 5,
    });
    assert.deepEqual(args.slice(-3), ['-f', 'mpegts', 'srt://ingest.example:9000?streamid=abc']);
    assert.ok(args.includes('testsrc2=size=320x180:rate=25'));
    assert.throws(
      () =>
        destinationTestArgs({
          url: 'http://a.example/x',
          seconds: 2,
          fps: 25,
          width: 320,
          height: 180,
          networkTimeoutSeconds: 5,
        }),
      /unsupported destination scheme http/,
    );
  });
});

describe('describeTestRun', () => {
  const base = { destinationId: 3, host: 'a.example', fps: 30, timeoutSeconds: 20 };

  it('a clean run: reached, with the seconds and frames the server took', () => {
    const outcome = describeTestRun({
      ...base,
      run: { code: 0, signal: null, stdout: progress(120, 210_000), stderr: '', timedOut: false },
    });
    assert.equal(outcome.ok, true);
    assert.equal(
      outcome.message,
      'Reached a.example: published 4 s (120 frames) — the server accepted the stream.',
    );
    assert.equal(outcome.frames, 120);
    assert.equal(outcome.bytesSent, 210_000);
    assert.equal(outcome.error, null);
  });

  it('connection refused: the classifier’s sentence and remediation, never the stderr (which holds the key)', () => {
    const stderr = `[tcp @ 0x55d0] [error] Connection to tcp://a.example:1935?tcp_nodelay=0 failed: Connection refused\n[out#0/flv @ 0x55] [error] Error opening output ${URL_WITH_KEY}: Connection refused\n`;
    const outcome = describeTestRun({
      ...base,
      run: { code: 1, signal: null, stdout: Buffer.alloc(0), stderr, timedOut: false },
    });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.code, 'DESTINATION_UNREACHABLE');
    assert.equal(
      outcome.message,
      'Could not publish to a.example: The streaming server refused the connection.',
    );
    assert.match(outcome.error?.remediation ?? '', /server address and port, that the server is running/);
    assert.doesNotMatch(outcome.error?.remediation ?? '', /reconnects by itself/, 'a test does not retry');
    assert.ok(!JSON.stringify(outcome).includes(KEY));
  });

  it('a name that does not resolve, a refused key, and no answer in time', () => {
    const dns = describeTestRun({
      ...base,
      run: {
        code: 1,
        signal: null,
        stdout: Buffer.alloc(0),
        stderr: `[tcp @ 0x1] [error] Failed to resolve hostname nowhere.invalid: Name or service not known\n`,
        timedOut: false,
      },
    });
    assert.equal(dns.error?.code, 'DESTINATION_DNS_FAILED');
    const rejected = describeTestRun({
      ...base,
      run: {
        code: 1,
        signal: null,
        stdout: Buffer.alloc(0),
        stderr: `[rtmp @ 0x1] [error] Server error: Publishing failed\n`,
        timedOut: false,
      },
    });
    assert.equal(rejected.error?.code, 'DESTINATION_REJECTED');
    const silent = describeTestRun({
      ...base,
      run: { code: null, signal: 'SIGKILL', stdout: Buffer.alloc(0), stderr: '', timedOut: true },
    });
    assert.equal(silent.error?.code, 'DESTINATION_NO_RESPONSE');
    assert.equal(silent.message, 'Could not publish to a.example: a.example did not answer within 20 s.');
  });

  it('an exit 0 without a frame sent is not a success', () => {
    const outcome = describeTestRun({
      ...base,
      run: { code: 0, signal: null, stdout: progress(0, 0), stderr: '', timedOut: false },
    });
    assert.equal(outcome.ok, false);
  });
});

describe('hostOf', () => {
  it('names the host without credentials, port or path', () => {
    assert.equal(hostOf('rtmp://user:pw@a.example:1935/live/KEY'), 'a.example');
    assert.equal(hostOf('rtmps://live-api-s.facebook.com:443/rtmp/KEY?s=1'), 'live-api-s.facebook.com');
    assert.equal(hostOf('srt://[::1]:9000?streamid=x'), '[::1]');
  });
});
