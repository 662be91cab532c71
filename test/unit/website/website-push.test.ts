// The scheduled push against a real local HTTP server: the method, the Authorization header, a
// JPEG body of the set size whose colour follows the program; backoff after failures, an alert
// after three in a row that clears on success; a bounded time per request; never a credential in
// the logs or the alert.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRootLogger } from '../../../src/core/logger.ts';
import type { PushCredentials, PushSettings } from '../../../src/domain/website.ts';
import type { AlertInput } from '../../../src/errors/alert-sink.ts';
import type { ProgramPicture } from '../../../src/engine/index.ts';
import { pictureToJpeg } from '../../../src/preview/picture-jpeg.ts';
import { LIVE_STILL_QUALITY, LiveStill } from '../../../src/website/live-still.ts';
import {
  FAILURES_BEFORE_ALERT,
  nextDelayMs,
  PUSH_ALERT_KEY,
  WebsitePusher,
} from '../../../src/website/push.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { waitFor } from '../../helpers/proc.ts';
import { colourDistance, isJpeg, lookAtJpeg, solidPicture } from '../../helpers/website-jpeg.ts';

const PASSWORD = 'pa55-not-in-logs';
const TOKEN = 'tok-never-in-alerts-7';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

describe('the scheduled website push (local HTTP server)', () => {
  let server: Server;
  let base = '';
  const received: Received[] = [];
  /** What the server answers next: a status, or "hang" (never answers). */
  const answers: Array<number | 'hang'> = [];

  before(async () => {
    server = createServer((request, response) => {
      void readBody(request).then((body) => {
        received.push({
          method: request.method ?? '',
          path: request.url ?? '',
          authorization: request.headers.authorization,
          contentType: request.headers['content-type'],
          body,
        });
        const answer = answers.shift() ?? 204;
        if (answer === 'hang') return;
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  function rig(push: PushSettings, credentials: PushCredentials | null, timeoutMs = 5000) {
    const clock = new FakeClock();
    let program: ProgramPicture = solidPicture(640, 360, [200, 30, 30]);
    const still = new LiveStill(
      {
        picture: () => ({ executionId: 1, picture: program }),
        config: () => ({ size: { width: 320, height: 180 }, intervalS: push.interval_s }),
      },
      clock,
      (picture, size) => pictureToJpeg(picture, size, LIVE_STILL_QUALITY),
    );
    const alerts: { raised: AlertInput[]; cleared: string[] } = { raised: [], cleared: [] };
    const lines: string[] = [];
    const logger = createRootLogger({
      level: 'debug',
      destination: { write: (line: string) => lines.push(line) },
    });
    const pusher = new WebsitePusher({
      still: () => still.current(),
      settings: () => ({ push, credentials }),
      alerts: { raise: (alert) => alerts.raised.push(alert), clear: (key) => alerts.cleared.push(key) },
      clock,
      logger,
      requestTimeoutMs: timeoutMs,
    });
    return { clock, pusher, alerts, lines, setProgram: (picture: ProgramPicture) => (program = picture) };
  }

  it('PUTs the JPEG with basic auth every interval, its content following the program', async () => {
    received.length = 0;
    const { clock, pusher, setProgram, lines } = rig(
      { enabled: true, url: `${base}/webcam/live.jpg?key=k1`, method: 'PUT', interval_s: 30 },
      { type: 'basic', user: 'venue', password: PASSWORD },
    );
    pusher.start();
    clock.advance(0);
    await waitFor(() => received.length === 1 && pusher.pushCount() === 1, {
      timeoutMs: 10_000,
      what: 'the first push',
    });
    const first = received[0]!;
    assert.equal(first.method, 'PUT');
    assert.equal(first.path, '/webcam/live.jpg?key=k1');
    assert.equal(first.authorization, `Basic ${Buffer.from(`venue:${PASSWORD}`).toString('base64')}`);
    assert.equal(first.contentType, 'image/jpeg');
    assert.ok(isJpeg(first.body));
    const red = await lookAtJpeg(first.body);
    assert.deepEqual([red.width, red.height], [320, 180]);
    assert.ok(colourDistance(red.mean, [200, 30, 30]) < 25, `mean ${red.mean.join(',')}`);

    setProgram(solidPicture(640, 360, [30, 160, 60]));
    clock.advance(29_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received.length, 1, 'nothing before the interval');
    clock.advance(1_000);
    await waitFor(() => received.length === 2, { timeoutMs: 10_000, what: 'the second push' });
    const green = await lookAtJpeg(received[1]!.body);
    assert.ok(colourDistance(green.mean, [30, 160, 60]) < 25, `mean ${green.mean.join(',')}`);
    pusher.stop();
    assert.equal(lines.join('').includes(PASSWORD), false);
  });

  it('POSTs with a bearer token; backs off after failures, alerts after three, clears on success', async () => {
    received.length = 0;
    answers.push(500, 503, 401);
    const { clock, pusher, alerts, lines } = rig(
      { enabled: true, url: `${base}/upload?secret=${TOKEN}`, method: 'POST', interval_s: 10 },
      { type: 'bearer', token: TOKEN },
    );
    pusher.start();
    clock.advance(0);
    await waitFor(() => received.length === 1, { timeoutMs: 10_000, what: 'the first try' });
    assert.equal(received[0]!.method, 'POST');
    assert.equal(received[0]!.authorization, `Bearer ${TOKEN}`);
    // Failure 1 → waits 20 s, failure 2 → 40 s (each wait is longer than the interval).
    await new Promise((resolve) => setTimeout(resolve, 100));
    clock.advance(nextDelayMs(10, 1) - 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received.length, 1, 'no retry before the backoff');
    clock.advance(1);
    await waitFor(() => received.length === 2, { timeoutMs: 10_000, what: 'the second try' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alerts.raised.length, 0, 'two failures: no alert yet');
    clock.advance(nextDelayMs(10, 2));
    await waitFor(() => alerts.raised.length === 1, { timeoutMs: 10_000, what: 'the alert' });
    const alert = alerts.raised[0]!;
    assert.equal(alert.key, PUSH_ALERT_KEY);
    assert.equal(alert.code, 'WEBSITE_PUSH_FAILED');
    assert.match(alert.message, new RegExp(`${FAILURES_BEFORE_ALERT} times in a row .*answered 401`));
    assert.match(alert.remediation, /POST of a JPEG/);
    assert.equal(JSON.stringify(alert).includes(TOKEN), false, 'the token is not in the alert');
    const clearedBefore = alerts.cleared.length;
    clock.advance(nextDelayMs(10, 3));
    await waitFor(() => pusher.pushCount() === 1, { timeoutMs: 10_000, what: 'the successful push' });
    assert.ok(alerts.cleared.length > clearedBefore, 'the success clears the alert');
    assert.equal(received.length, 4);
    pusher.stop();
    assert.equal(lines.join('').includes(TOKEN), false, 'the token is not in the logs');
    assert.ok(lines.join('').includes('/upload?…'), 'the logs name the address without its query');
  });

  it('abandons a request the website never answers', async () => {
    received.length = 0;
    answers.push('hang');
    const { pusher } = rig({ enabled: true, url: `${base}/slow`, method: 'PUT', interval_s: 10 }, null, 300);
    const outcome = await pusher.pushOnce();
    assert.deepEqual(outcome, { ok: false, reason: `${base}/slow: no answer within 300 ms` });
    assert.equal(received[0]?.authorization, undefined, 'no credentials configured: no header');
  });

  it('waits longer after each failure, up to a cap', () => {
    assert.equal(nextDelayMs(10, 0), 10_000);
    assert.equal(nextDelayMs(10, 1), 20_000);
    assert.equal(nextDelayMs(10, 3), 80_000);
    assert.equal(nextDelayMs(10, 12), 15 * 60_000);
    assert.equal(nextDelayMs(3600, 2), 3_600_000, 'never below the interval');
  });
});
