import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DestinationUrlError,
  PLATFORMS,
  destinationUrl,
  redactArgv,
  redactUrl,
} from '../../../src/ffmpeg/platforms.ts';
import { publisherArgs } from '../../../src/ffmpeg/argv.ts';

describe('platform presets', () => {
  it('match the spec and DESIGN limits', () => {
    assert.equal(PLATFORMS.youtube.servers[0], 'rtmp://a.rtmp.youtube.com/live2');
    assert.ok(PLATFORMS.youtube.servers.includes('rtmps://a.rtmps.youtube.com:443/live2'));
    assert.deepEqual(PLATFORMS.facebook.schemes, ['rtmps']);
    assert.equal(PLATFORMS.facebook.maxDurationHours, 8);
    assert.equal(PLATFORMS.twitch.maxDurationHours, 48);
    assert.equal(PLATFORMS.twitch.servers[0], 'rtmp://live.twitch.tv/app');
    for (const p of Object.values(PLATFORMS)) assert.equal(p.keyframeSeconds, 2);
  });
});

describe('destinationUrl', () => {
  it('joins the default server and the key with exactly one slash', () => {
    assert.equal(
      destinationUrl('youtube', undefined, 'abcd-efgh'),
      'rtmp://a.rtmp.youtube.com/live2/abcd-efgh',
    );
    assert.equal(
      destinationUrl('facebook', undefined, 'FB-1-0-Ab'),
      'rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab',
    );
    assert.equal(destinationUrl('twitch', '', 'live_123_abc'), 'rtmp://live.twitch.tv/app/live_123_abc');
    assert.equal(
      destinationUrl('youtube', 'rtmps://a.rtmps.youtube.com:443/live2//', '/abcd'),
      'rtmps://a.rtmps.youtube.com:443/live2/abcd',
    );
    assert.equal(
      destinationUrl('twitch', undefined, '  live_1?bandwidthtest=true \n'),
      'rtmp://live.twitch.tv/app/live_1?bandwidthtest=true',
    );
  });

  it('custom servers: key optional, SRT key as streamid', () => {
    assert.equal(destinationUrl('custom', 'rtmp://10.0.0.2/live', 'venue'), 'rtmp://10.0.0.2/live/venue');
    assert.equal(destinationUrl('custom', 'rtmp://10.0.0.2/live/venue', ''), 'rtmp://10.0.0.2/live/venue');
    assert.equal(
      destinationUrl('custom', 'srt://10.0.0.2:9000', 'publish:live/venue'),
      'srt://10.0.0.2:9000?streamid=publish%3Alive%2Fvenue',
    );
    assert.equal(
      destinationUrl('custom', 'srt://10.0.0.2:9000?latency=2000000', 'k'),
      'srt://10.0.0.2:9000?latency=2000000&streamid=k',
    );
  });

  it('refuses what the platform would refuse', () => {
    assert.throws(
      () => destinationUrl('facebook', 'rtmp://live-api-s.facebook.com:80/rtmp/', 'k'),
      /RTMPS only/,
    );
    assert.throws(() => destinationUrl('youtube', undefined, ''), DestinationUrlError);
    assert.throws(() => destinationUrl('youtube', undefined, 'ab cd'), /whitespace/);
    assert.throws(() => destinationUrl('custom', undefined, 'k'), /server URL is required/);
    assert.throws(() => destinationUrl('custom', 'http://example.com/live', 'k'), DestinationUrlError);
    assert.throws(() => destinationUrl('custom', 'not a url', 'k'), /not a valid server URL/);
  });

  it('the URL it builds is accepted by publisherArgs', () => {
    const url = destinationUrl('facebook', undefined, 'FB-1');
    assert.equal(publisherArgs({ url, platform: 'facebook' }).at(-1), url);
  });
});

describe('redactUrl', () => {
  it('hides stream keys, passwords and query values', () => {
    assert.equal(
      redactUrl('rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl'),
      'rtmp://a.rtmp.youtube.com/live2/****',
    );
    assert.equal(
      redactUrl('rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1&s_sc=2'),
      'rtmps://live-api-s.facebook.com:443/rtmp/****?s_bl=****&s_sc=****',
    );
    assert.equal(redactUrl('rtmp://live.twitch.tv/app/live_1_x'), 'rtmp://live.twitch.tv/app/****');
    assert.equal(
      redactUrl('rtsp://admin:s3cr:et@192.168.1.20:554/Streaming/Channels/101'),
      'rtsp://admin:****@192.168.1.20:554/Streaming/Channels/101',
    );
    assert.equal(
      redactUrl('srt://h:9000?streamid=secret&passphrase=pw'),
      'srt://h:9000?streamid=****&passphrase=****',
    );
    for (const platform of ['youtube', 'facebook', 'twitch'] as const) {
      const url = destinationUrl(platform, undefined, 'SECRET-KEY-123');
      assert.ok(!redactUrl(url).includes('SECRET'), redactUrl(url));
    }
  });

  it('leaves key-less URLs and plain paths alone', () => {
    assert.equal(redactUrl('rtmp://10.0.0.2/live'), 'rtmp://10.0.0.2/live');
    assert.equal(redactUrl('rtsp://cam.local/stream1'), 'rtsp://cam.local/stream1');
    assert.equal(redactUrl('/data/a.mp4'), '/data/a.mp4');
    assert.equal(redactUrl('pipe:1'), 'pipe:1');
  });

  it('redactArgv masks every URL in a command line', () => {
    const argv = publisherArgs({ url: destinationUrl('youtube', undefined, 'SECRET'), platform: 'youtube' });
    const shown = redactArgv(argv);
    assert.equal(shown.at(-1), 'rtmp://a.rtmp.youtube.com/live2/****');
    assert.equal(shown.length, argv.length);
    assert.ok(!shown.join(' ').includes('SECRET'));
  });
});
