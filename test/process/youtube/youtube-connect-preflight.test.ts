// The pre-flight check of a destination whose broadcasts run through the YouTube API: it needs the
// Google client in Settings and a connected (not revoked) channel, and then no stream key; a
// YouTube destination with neither a key nor broadcast settings fails as before.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runPreflight, type PreflightCheck } from '../../../src/app/preflight.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const BROADCAST = {
  title: 'Harbour live',
  description: '',
  privacy: 'unlisted',
  latency: 'normal',
  dvr: true,
  auto_start: false,
  keep_archive: false,
} as const;

describe('pre-flight: a destination with YouTube broadcast settings', () => {
  const dir = tempDir('vistter-youtube-preflight-');
  let store: Store;
  let timelineId = 0;
  let connectionId = 0;
  let viaApi = 0;
  let keyless = 0;

  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
    const camera = store.cameras.create({ name: 'Dock', stream_url: 'rtsp://10.0.0.1/s1' }).id;
    timelineId = store.timelines.create({
      timeline: {
        name: 'Harbour',
        duration: 30,
        resolution: '1280x720',
        loop: false,
        tracks: {
          video: {
            track_id: 'video',
            type: 'video',
            cues: [
              { id: 'c1', start_time: 0, duration: 30, action: 'show_camera', params: { camera_id: camera } },
            ],
          },
          overlays: [],
        },
      },
    }).id;
    connectionId = store.youtubeConnections.create(
      'Harbour channel',
      { refreshToken: 'rt-SECRET', accessToken: null, accessExpiresAt: null, scope: 'youtube' },
      Date.now(),
    );
    viaApi = store.destinations.create({
      name: 'Harbour YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: null,
      youtube: { connection_id: connectionId, ...BROADCAST },
    }).id;
    keyless = store.destinations.create({
      name: 'Keyless YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: null,
    }).id;
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  async function destinationsCheck(destinationId: number): Promise<PreflightCheck> {
    const report = await runPreflight({
      store,
      timelineId,
      destinationIds: [destinationId],
      mediaRoot: dir.path,
      clock: new FakeClock(),
      arch: 'x64',
      probeCamera: async () => ({
        ok: true,
        video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
        audio: null,
        latencyMs: 50,
      }),
      detectEncoder: async () => ({ encoder: 'libx264', tried: [] }),
    });
    const check = report.checks.find((candidate) => candidate.id === 'destinations');
    assert.ok(check);
    return check;
  }

  it('fails without the Google client, saying to enter it in Settings', async () => {
    store.settings.set('youtube.oauth_client', null);
    const check = await destinationsCheck(viaApi);
    assert.equal(check.status, 'fail');
    assert.match(check.items[0]?.detail ?? '', /no Google OAuth client/);
    assert.match(check.remediation ?? '', /Settings → YouTube/);
  });

  it('passes with the client and a connected channel, without a stream key', async () => {
    store.settings.set('youtube.oauth_client', {
      client_id: 'x.apps.googleusercontent.com',
      client_secret: 'client-SECRET',
    });
    const check = await destinationsCheck(viaApi);
    assert.equal(check.status, 'ok', JSON.stringify(check));
    assert.match(check.items[0]?.detail ?? '', /YouTube Live API/);
  });

  it('fails once the channel is disconnected, saying to connect it again', async () => {
    store.youtubeConnections.markRevoked(connectionId, Date.now(), 'Google refused the refresh token');
    const check = await destinationsCheck(viaApi);
    assert.equal(check.status, 'fail');
    assert.match(check.items[0]?.detail ?? '', /"Harbour channel" is disconnected \(Google refused/);
    assert.match(check.remediation ?? '', /Destinations → YouTube: connect the channel again/);
    assert.ok(!JSON.stringify(check).includes('SECRET'), 'no token or secret in the report');
  });

  it('a YouTube destination with neither a key nor broadcast settings fails as before', async () => {
    const check = await destinationsCheck(keyless);
    assert.equal(check.status, 'fail');
    assert.match(check.remediation ?? '', /Enter the stream key of Keyless YouTube/);
  });
});
