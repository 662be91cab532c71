import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShowStart, ShowUsageError } from '../../../src/app/show-start-cli.ts';

describe('vistter show start arguments', () => {
  const env = { VISTTER_DATA_DIR: '/srv/vistter' };

  it('builds the request with absolute paths (the appliance may resume it from elsewhere)', () => {
    const args = parseShowStart(
      [
        '--timeline',
        '3',
        '--dest',
        '1',
        '--dest',
        '4',
        '--record',
        'rec/show.mp4',
        '--preview',
        'pv',
        '--preset',
        'veryfast',
        '--profile',
        'quality',
        '--bitrate',
        '3000',
      ],
      env,
      '/home/op',
    );
    assert.deepEqual(args, {
      request: {
        timelineId: 3,
        destinationIds: [1, 4],
        recordPath: '/home/op/rec/show.mp4',
        previewDir: '/home/op/pv',
        encoder: { preset: 'veryfast', profile: 'quality', bitrateKbps: 3000 },
      },
      dataDir: '/srv/vistter',
      json: false,
    });
    assert.equal(
      parseShowStart(['--timeline', '1', '--dest', '2', '--data-dir', 'd'], env, '/x').dataDir,
      '/x/d',
    );
  });

  it('reports wrong usage naming the option', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /needs --timeline ID/],
      [['--timeline', 'abc', '--dest', '1'], /--timeline must be a number, got "abc"/],
      [['--timeline', '1', '--dest', '0'], /--dest must be a number, got "0"/],
      [['--timeline', '1'], /somewhere to go/],
      [['--timeline', '1', '--dest', '1', '--profile', 'fast'], /--profile must be reliability or quality/],
      [['--timeline', '1', '--dest', '1', '--nope'], /Unknown option '--nope'/],
      [['--timeline', '1', '--dest', '1', 'extra'], /positional/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseShowStart(argv, env),
        (error: unknown) => {
          assert.ok(error instanceof ShowUsageError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
});
