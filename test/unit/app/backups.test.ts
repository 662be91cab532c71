// The backup rule shared by the show runner, pre-flight and the capacity check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupRule, configuredBackup, type BackupCamera } from '../../../src/app/backups.ts';

const cameras = (entries: Array<[number, number | null]>): Map<number, BackupCamera> =>
  new Map(entries.map(([id, backup]) => [id, { backup_camera_id: backup }]));

describe('backup rule', () => {
  it("a camera's own backup comes first", () => {
    const rule = backupRule(
      cameras([
        [1, 3],
        [2, null],
        [3, null],
      ]),
      { fallback: { backup_camera_id: 2 } },
    );
    assert.equal(rule(1), 3);
  });

  it("a camera without its own takes the timeline's fallback.backup_camera_id", () => {
    const all = cameras([
      [1, null],
      [2, null],
      [3, null],
    ]);
    const rule = backupRule(all, { fallback: { backup_camera_id: 2 } });
    assert.equal(rule(1), 2);
    assert.equal(rule(3), 2);
    assert.equal(rule(2), null, 'the fallback camera has no backup of itself');
    assert.deepEqual(configuredBackup(1, all, { fallback: { backup_camera_id: 2 } }), {
      cameraId: 2,
      shared: true,
    });
  });

  it('no fallback, no own backup: none', () => {
    assert.equal(backupRule(cameras([[1, null]]), {})(1), null);
  });

  it('a backup the show cannot use (disabled, deleted) is none; an own one is not replaced by the shared one', () => {
    const usable = cameras([
      [1, 9],
      [2, null],
    ]); // camera 9 is not usable
    const rule = backupRule(usable, { fallback: { backup_camera_id: 2 } });
    assert.equal(rule(1), null);
    assert.equal(backupRule(cameras([[1, null]]), { fallback: { backup_camera_id: 7 } })(1), null);
  });
});
