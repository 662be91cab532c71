import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRootLogger } from '../../../src/core/logger.ts';

const STREAM_KEY = 'abcd-efgh-ijkl-7q1w';
const CAMERA_PASSWORD = 'Hunter2-cam-pw';
const SRT_PASSPHRASE = 'longpassphrase1';
const WEBHOOK_TOKEN = 'tok_9f8e7d6c5b4a';
const SECRETS = [STREAM_KEY, CAMERA_PASSWORD, SRT_PASSPHRASE, WEBHOOK_TOKEN];

/** A logger at debug level whose lines are kept (as written, newline included). */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createRootLogger({
    level: 'debug',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, lines };
}

function assertNoSecret(lines: readonly string[]): void {
  const text = lines.join('');
  for (const secret of SECRETS) assert.equal(text.includes(secret), false, `"${secret}" in:\n${text}`);
}

describe('logger redaction', () => {
  const destinationUrl = `rtmp://a.rtmp.youtube.com/live2/${STREAM_KEY}`;
  const cameraUrl = `rtsp://admin:${CAMERA_PASSWORD}@192.168.1.20:554/Streaming/Channels/101`;

  it('masks a destination URL with a key and a camera URL with user:password, wherever they sit', () => {
    const { logger, lines } = capturedLogger();
    const log = logger.child({ component: 'publisher', target: destinationUrl });
    log.info({ url: destinationUrl }, 'publishing');
    log.warn(`camera ${cameraUrl} did not answer`);
    log.info({ sources: [{ url: cameraUrl }], srt: `srt://relay:9000?passphrase=${SRT_PASSPHRASE}` }, 'plan');
    log.debug({ webhook: `https://hooks.example.com/in?token=${WEBHOOK_TOKEN}` }, 'webhook set');
    assert.equal(lines.length, 4);
    assertNoSecret(lines);
    // What a person needs to find the fault is still there, and every line is still JSON.
    const first = JSON.parse(lines[0]!) as { url: string; target: string; component: string };
    assert.equal(first.url, 'rtmp://a.rtmp.youtube.com/live2/****');
    assert.equal(first.target, 'rtmp://a.rtmp.youtube.com/live2/****');
    assert.equal(first.component, 'publisher');
    const second = JSON.parse(lines[1]!) as { msg: string };
    assert.equal(
      second.msg,
      'camera rtsp://admin:****@192.168.1.20:554/Streaming/Channels/101 did not answer',
    );
  });

  it('masks an error whose message and stack hold a URL, logged as err or as the message', () => {
    const { logger, lines } = capturedLogger();
    const error = new Error(`could not open ${cameraUrl}: 401 Unauthorized`);
    logger.error({ err: error }, 'camera failed');
    logger.error(error);
    logger.error({ err: new Error(`publish to ${destinationUrl} refused`) });
    assert.equal(lines.length, 3);
    assertNoSecret(lines);
    const logged = JSON.parse(lines[0]!) as { err: { message: string; stack: string } };
    assert.match(logged.err.message, /rtsp:\/\/admin:\*\*\*\*@192\.168\.1\.20/);
    assert.match(logged.err.stack, /^Error: could not open rtsp:\/\/admin:\*\*\*\*@/);
  });

  it('masks ffmpeg stderr lines that echo a URL', () => {
    const { logger, lines } = capturedLogger();
    const stderr = [
      `[rtmp @ 0x55d0] Server error: Already publishing ${destinationUrl}`,
      `${destinationUrl}: Input/output error`,
      `Input #0, rtsp, from '${cameraUrl}':`,
      `[srt @ 0x1] Connection to srt://relay:9000?streamid=x&passphrase=${SRT_PASSPHRASE} failed`,
    ];
    for (const line of stderr) logger.warn({ stderr: line }, 'ffmpeg said');
    logger.warn({ tail: stderr }, 'encoder exited');
    assertNoSecret(lines);
  });
});
