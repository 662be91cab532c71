import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseShowRun } from '../../../src/engine/show-cli.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { tempDir } from '../../helpers/temp.ts';
import { SPEC_EXAMPLE_PATH } from '../../helpers/timelines.ts';

describe('vistter show run arguments', () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const write = (name: string, value: unknown) => {
    const file = join(dir.path, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('reads cameras and destinations from the options, each --platform applying to the --dest after it', () => {
    const { plan, durationSeconds } = parseShowRun(
      [
        SPEC_EXAMPLE_PATH,
        '--camera',
        '1=rtsp://u:p@10.0.0.5/s',
        '--camera',
        '2=test',
        '--dest',
        'rtmp://127.0.0.1/live/a',
        '--platform',
        'twitch',
        '--dest',
        'rtmp://live.twitch.tv/app/k',
        '--duration',
        '30',
      ],
      {},
    );
    assert.deepEqual(plan.cameras.get(1), { kind: 'url', name: 'camera 1', url: 'rtsp://u:p@10.0.0.5/s' });
    assert.equal(plan.cameras.get(2)?.kind, 'generated');
    assert.deepEqual(
      plan.destinations.map((d) => [d.platform, d.url]),
      [
        ['custom', 'rtmp://127.0.0.1/live/a'],
        ['twitch', 'rtmp://live.twitch.tv/app/k'],
      ],
    );
    assert.equal(durationSeconds, 30);
    assert.equal(plan.timeline.name, 'Daily Marina Stream');
  });

  it('merges a config file with the options (options add and override)', () => {
    const config = write('show.json', {
      cameras: { '1': 'rtsp://10.0.0.5/a', '3': 'test' },
      destinations: [
        { url: 'rtmps://live-api-s.facebook.com:443/rtmp/KEY', platform: 'facebook', name: 'Facebook' },
      ],
      record: 'show.mp4',
      preset: 'veryfast',
    });
    const { plan } = parseShowRun(
      [SPEC_EXAMPLE_PATH, '--config', config, '--camera', '1=rtsp://10.0.0.9/b'],
      {},
    );
    assert.deepEqual([...plan.cameras.keys()].sort(), [1, 3]);
    assert.deepEqual(plan.cameras.get(1), { kind: 'url', name: 'camera 1', url: 'rtsp://10.0.0.9/b' });
    assert.deepEqual(
      plan.destinations.map((d) => [d.name, d.platform]),
      [['Facebook', 'facebook']],
    );
    assert.equal(plan.recordPath, 'show.mp4');
    assert.equal(plan.encoder?.preset, 'veryfast');
  });

  it('names the field of a bad config file', () => {
    const config = write('bad.json', {
      cameras: { one: 'rtsp://x/y' },
      destinations: [{ url: 'http://x' }],
      extra: 1,
    });
    assert.throws(
      () => parseShowRun([SPEC_EXAMPLE_PATH, '--config', config], {}),
      (e) =>
        isAppError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        ['cameras.one', 'destinations[0].url', 'extra'].every((path) =>
          e.issues.some((i) => i.path === path),
        ),
    );
    assert.throws(
      () => parseShowRun([SPEC_EXAMPLE_PATH, '--config', write('broken.json', '{"cameras": ')], {}),
      (e) => isAppError(e) && e.code === 'JSON_MALFORMED',
    );
  });

  it('refuses a show with nowhere to go, an invalid timeline, and malformed options', () => {
    assert.throws(() => parseShowRun([SPEC_EXAMPLE_PATH, '--camera', '1=test'], {}), /needs somewhere to go/);
    const bad = write('t.json', { timeline: { name: 'x', duration: -1, tracks: {} } });
    assert.throws(
      () => parseShowRun([bad, '--record', 'x.flv'], {}),
      (e) =>
        isAppError(e) &&
        e.code === 'TIMELINE_INVALID' &&
        e.issues.some((i) => i.path === 'timeline.duration'),
    );
    assert.throws(
      () => parseShowRun([SPEC_EXAMPLE_PATH, '--camera', 'one=test', '--record', 'x.flv'], {}),
      /ID=URL/,
    );
    assert.throws(
      () => parseShowRun([SPEC_EXAMPLE_PATH, '--platform', 'myspace', '--dest', 'rtmp://x/y'], {}),
      /--platform must be one of/,
    );
  });
});
