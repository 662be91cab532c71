// The GO LIVE pre-flight checklist on a real migrated SQLite store and real files, with the camera
// test and the encoder detection faked: ok / warn / fail for each check, and no secret in any text.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  runPreflight,
  formatDuration,
  type PreflightCheck,
  type PreflightReport,
  type RunPreflightInput,
} from '../../../src/app/preflight.ts';
import type { CameraTestResult } from '../../../src/cameras/probe.ts';
import { ERRORS } from '../../../src/errors/registry.ts';
import type { EncoderDetection } from '../../../src/ffmpeg/hardware.ts';
import { judgeDiskSpace } from '../../../src/recordings/free-space.ts';
import { recordingLimitsFromEnv } from '../../../src/config.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const YT_KEY = 'abcd-efgh-SECRET-1234';
const FB_KEY = 'FB-SECRET-999';

const online = (width = 1920, height = 1080): CameraTestResult => ({
  ok: true,
  video: { codec: 'h264', width, height, fps: 30 },
  audio: { codec: 'aac' },
  latencyMs: 120,
});
const refused: CameraTestResult = {
  ok: false,
  code: 'CAMERA_UNREACHABLE',
  reason: 'The camera refused the connection: nothing answers at this address and port.',
  remediation: ERRORS.CAMERA_UNREACHABLE.remediation,
  detail: 'rtsp://10.0.0.2/s1: Connection refused',
};
const authFailed: CameraTestResult = {
  ok: false,
  code: 'CAMERA_AUTH_FAILED',
  reason: 'The camera refused the user name or password.',
  remediation: ERRORS.CAMERA_AUTH_FAILED.remediation,
  detail: null,
};

const hardware: EncoderDetection = {
  encoder: 'h264_v4l2m2m',
  tried: [{ encoder: 'h264_v4l2m2m', ok: true, reason: 'test encode succeeded', durationMs: 210 }],
};
const software: EncoderDetection = {
  encoder: 'libx264',
  tried: [
    {
      encoder: 'h264_v4l2m2m',
      ok: false,
      reason: 'Could not find a valid device (exit code 1)',
      durationMs: 40,
    },
    { encoder: 'h264_vaapi', ok: false, reason: 'not built into this ffmpeg', durationMs: 0 },
    { encoder: 'libx264', ok: true, reason: 'test encode succeeded', durationMs: 90 },
  ],
};

type Raw = Record<string, unknown>;
const cam = (id: string, camera: number, start: number, duration = 10): Raw => ({
  id,
  start_time: start,
  duration,
  action: 'show_camera',
  params: { camera_id: camera },
});

function doc(o: {
  cues: Raw[];
  duration?: number;
  overlays?: Raw[];
  loop?: boolean;
  resolution?: string;
  fallback?: Raw;
}) {
  return {
    timeline: {
      name: 'Marina',
      duration: o.duration ?? 30,
      resolution: o.resolution ?? '1920x1080',
      loop: o.loop ?? false,
      tracks: { video: { track_id: 'video', type: 'video', cues: o.cues }, overlays: o.overlays ?? [] },
      ...(o.fallback ? { fallback: o.fallback } : {}),
    },
  };
}

function byId(report: PreflightReport, id: PreflightCheck['id']): PreflightCheck {
  const check = report.checks.find((c) => c.id === id);
  assert.ok(check, `no check ${id}`);
  return check;
}

describe('runPreflight', () => {
  const dir = tempDir('vistter-preflight-');
  const mediaRoot = join(dir.path, 'media');
  let store: Store;
  let clock: FakeClock;
  const ids = {} as Record<'dock' | 'pier' | 'spare' | 'off' | 'noBackup', number>;
  const dest = {} as Record<'yt' | 'fb' | 'custom' | 'disabled' | 'noKey', number>;
  let assetId = 0;
  let missingAssetId = 0;
  let good = 0;

  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
    mkdirSync(join(mediaRoot, 'assets'), { recursive: true });
    writeFileSync(join(mediaRoot, 'assets/logo.png'), 'png');
    writeFileSync(join(mediaRoot, 'assets/intro.mp4'), 'mp4');
    writeFileSync(join(mediaRoot, 'assets/slate.png'), 'png');
    ids.spare = store.cameras.create({ name: 'Spare', stream_url: 'rtsp://10.0.0.3/s1' }).id;
    ids.dock = store.cameras.create({
      name: 'Dock',
      stream_url: 'rtsp://admin:cam-PASSWORD@10.0.0.1/s1',
      backup_camera_id: ids.spare,
    }).id;
    ids.pier = store.cameras.create({ name: 'Pier', stream_url: 'rtsp://10.0.0.2/s1' }).id;
    ids.off = store.cameras.create({ name: 'Old', stream_url: 'rtsp://10.0.0.4/s1', enabled: false }).id;
    ids.noBackup = ids.pier;
    dest.yt = store.destinations.create({
      name: 'YT',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: YT_KEY,
    }).id;
    dest.fb = store.destinations.create({
      name: 'FB',
      platform: 'facebook',
      server_url: 'rtmps://live-api-s.facebook.com:443/rtmp/',
      stream_key: FB_KEY,
    }).id;
    dest.custom = store.destinations.create({
      name: 'Own server',
      platform: 'custom',
      server_url: 'rtmp://stream.example.org/live/inline-KEY-42',
    }).id;
    dest.disabled = store.destinations.create({
      name: 'Twitch',
      platform: 'twitch',
      server_url: 'rtmp://live.twitch.tv/app',
      stream_key: 'tw-SECRET',
      enabled: false,
    }).id;
    dest.noKey = store.destinations.create({
      name: 'YT 2',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
    }).id;
    assetId = store.assets.create({
      asset_type: 'video',
      filename: 'intro.mp4',
      file_path: 'assets/intro.mp4',
      file_size: 3,
      mime_type: 'video/mp4',
      checksum: null,
      metadata: null,
    }).id;
    missingAssetId = store.assets.create({
      asset_type: 'image',
      filename: 'gone.png',
      file_path: 'assets/gone.png',
      file_size: 3,
      mime_type: 'image/png',
      checksum: null,
      metadata: null,
    }).id;
    good = store.timelines.create(
      doc({
        cues: [
          cam('c1', ids.dock, 0),
          cam('c2', ids.pier, 10),
          { id: 'intro', start_time: 20, duration: 5, action: 'show_media', params: { asset_id: assetId } },
          cam('c3', ids.dock, 25, 5),
        ],
        overlays: [
          {
            track_id: 'logo',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'logo1',
                start_time: 0,
                duration: 30,
                action: 'show_overlay',
                params: { type: 'logo', image_url: '/assets/logo.png' },
              },
            ],
          },
        ],
        fallback: { test_pattern: '/assets/slate.png' },
      }),
    ).id;
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  function run(
    over: Partial<RunPreflightInput> & { results?: Record<number, CameraTestResult | Error> } = {},
  ): Promise<PreflightReport> & { probed: number[] } {
    clock = new FakeClock(Date.parse('2026-11-24T10:00:00Z'));
    const probed: number[] = [];
    const { results = {}, ...rest } = over;
    const promise = runPreflight({
      store,
      timelineId: good,
      destinationIds: [dest.yt],
      mediaRoot,
      clock,
      arch: 'x64',
      probeCamera: async (id) => {
        probed.push(id);
        clock.advance(100);
        const r = results[id] ?? online();
        if (r instanceof Error) throw r;
        return r;
      },
      detectEncoder: async () => hardware,
      // A fixed disk, so the report does not depend on this machine's (test/unit/recordings).
      disk: () =>
        judgeDiskSpace({ path: mediaRoot, totalBytes: 32e9, freeBytes: 12e9 }, recordingLimitsFromEnv({})),
      ...rest,
    }) as Promise<PreflightReport> & { probed: number[] };
    promise.probed = probed;
    return promise;
  }

  it('everything ready: ok, each check ok with a summary and no remediation', async () => {
    const p = run();
    const report = await p;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => [c.id, c.status, c.summary, c.remediation]),
      [
        ['timeline', 'ok', 'Timeline ready ("Marina", 30 s, 5 cues)', null],
        ['cameras', 'ok', 'Cameras online (2/2)', null],
        ['backup_cameras', 'ok', 'Backup cameras online (1/1)', null],
        ['destinations', 'ok', 'Destinations ready (1/1)', null],
        ['assets', 'ok', 'Media files found (3/3)', null],
        ['encoder', 'ok', 'H.264 encoder: hardware (V4L2 M2M)', null],
        ['disk', 'ok', '12 GB free of 32 GB on the data disk', null],
      ],
    );
    assert.deepEqual(
      report.checks.map((c) => c.label),
      ['Timeline', 'Cameras', 'Backup cameras', 'Destinations', 'Media files', 'Encoder', 'Disk space'],
    );
    // Each camera tested once (Dock is on air twice), all at once, backups included.
    assert.deepEqual([...p.probed].sort(), [ids.dock, ids.pier, ids.spare].sort());
    assert.equal(report.checkedAt, '2026-11-24T10:00:00.000Z');
    assert.equal(report.durationMs, 300);
    assert.deepEqual(byId(report, 'cameras').items[0], {
      name: `Dock (camera ${ids.dock})`,
      status: 'ok',
      detail: 'online: h264 1920×1080 at 30 fps, audio aac (answered in 120 ms)',
    });
    assert.deepEqual(byId(report, 'destinations').items, [
      {
        name: `YT (destination ${dest.yt})`,
        status: 'ok',
        detail: 'YouTube Live, rtmp://a.rtmp.youtube.com/live2: ready',
      },
    ]);
    assert.match(byId(report, 'encoder').items[0]!.detail, /test encode succeeded in 210 ms/);
  });

  describe('timeline', () => {
    it('missing: fail; the checks that need it say they were not checked; the others still run', async () => {
      const report = await run({ timelineId: 9999 });
      assert.equal(report.ok, false);
      const t = byId(report, 'timeline');
      assert.equal(t.status, 'fail');
      assert.equal(t.summary, 'Timeline 9999 does not exist');
      assert.match(t.remediation!, /Choose another timeline/);
      for (const id of ['cameras', 'backup_cameras', 'assets'] as const) {
        assert.equal(byId(report, id).status, 'warn');
        assert.match(byId(report, id).summary, /^Not checked/);
        assert.ok(byId(report, id).remediation);
      }
      assert.equal(byId(report, 'destinations').status, 'ok');
      assert.equal(byId(report, 'encoder').status, 'ok');
    });

    it('stored but no longer valid: fail with the first problems, each naming its path', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 0, 30)] })).id;
      store.db
        .prepare(
          `UPDATE timeline_cues SET duration = 99 WHERE cue_key = 'a' AND track_id IN (SELECT id FROM timeline_tracks WHERE timeline_id = ?)`,
        )
        .run(id);
      const report = await run({ timelineId: id });
      const t = byId(report, 'timeline');
      assert.equal(t.status, 'fail');
      assert.equal(t.summary, `Timeline ${id} has 1 problem`);
      assert.equal(t.items[0]!.name, 'timeline.tracks.video.cues[0].duration');
      assert.match(t.items[0]!.detail, /after the timeline's end/);
      assert.match(t.remediation!, /in the editor and fix the problems listed/);
    });

    it('valid with notes (gaps show the slate): warn, still ok to go live', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 5, 10)], duration: 60 })).id;
      const report = await run({ timelineId: id });
      const t = byId(report, 'timeline');
      assert.equal(t.status, 'warn');
      assert.match(t.summary, /^Timeline ready with 2 notes \("Marina", 1 min, 1 cue\)$/);
      assert.equal(t.items.length, 2);
      assert.ok(t.remediation);
      assert.equal(report.ok, true);
    });
  });

  describe('cameras and backups', () => {
    it('an offline camera without a backup fails, naming it and what to do', async () => {
      const report = await run({ results: { [ids.pier]: refused } });
      const c = byId(report, 'cameras');
      assert.equal(c.status, 'fail');
      assert.equal(c.summary, 'Cameras online (1/2)');
      assert.deepEqual(c.items[1], {
        name: `Pier (camera ${ids.pier})`,
        status: 'fail',
        detail: `offline: ${refused.reason}`,
      });
      assert.equal(c.remediation, `Pier (camera ${ids.pier}): ${ERRORS.CAMERA_UNREACHABLE.remediation}`);
      assert.equal(report.ok, false);
    });

    it('an offline camera whose backup is online is a warning', async () => {
      const report = await run({ results: { [ids.dock]: authFailed } });
      const c = byId(report, 'cameras');
      assert.equal(c.status, 'warn');
      assert.equal(c.summary, 'Cameras online (1/2)');
      assert.equal(c.items[0]!.status, 'warn');
      assert.match(
        c.items[0]!.detail,
        new RegExp(`user name or password\\. Its backup Spare \\(camera ${ids.spare}\\) is online`),
      );
      assert.match(c.remediation!, /user name and password/);
      assert.equal(byId(report, 'backup_cameras').status, 'ok');
      assert.equal(report.ok, true);
    });

    it('camera and backup both offline: the camera fails, the backup warns', async () => {
      const report = await run({ results: { [ids.dock]: refused, [ids.spare]: refused } });
      assert.equal(byId(report, 'cameras').status, 'fail');
      const b = byId(report, 'backup_cameras');
      assert.equal(b.status, 'warn');
      assert.equal(b.summary, 'Backup cameras online (0/1)');
      assert.deepEqual(b.items, [
        {
          name: `Backup for Dock: Spare (camera ${ids.spare})`,
          status: 'warn',
          detail: `offline: ${refused.reason}`,
        },
      ]);
      assert.match(b.remediation!, /^Check Spare \(camera \d+\)/);
    });

    it('a disabled or unknown camera fails without being tested', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.off, 0), cam('b', 424242, 10)] })).id;
      const p = run({ timelineId: id });
      const report = await p;
      const c = byId(report, 'cameras');
      assert.equal(c.status, 'fail');
      assert.equal(c.summary, 'Cameras online (0/2)');
      assert.deepEqual(
        c.items.map((i) => [i.name, i.status, i.detail]),
        [
          [`Old (camera ${ids.off})`, 'fail', 'is disabled: the slate is shown instead'],
          ['Camera 424242', 'fail', 'is not configured on this appliance: the slate is shown instead'],
        ],
      );
      assert.match(c.remediation!, /Enable Old/);
      assert.deepEqual(p.probed, []);
      assert.equal(
        byId(report, 'backup_cameras').summary,
        'No backup cameras configured for the cameras used',
      );
    });

    it('no backups configured: ok, and it says so; a media-only timeline has no cameras', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 0, 30)] })).id;
      const b = byId(await run({ timelineId: id }), 'backup_cameras');
      assert.deepEqual(
        [b.status, b.summary, b.remediation],
        ['ok', 'No backup cameras configured for the cameras used', null],
      );
      const mediaOnly = store.timelines.create(
        doc({
          cues: [
            {
              id: 'm',
              start_time: 0,
              duration: 30,
              action: 'show_media',
              params: { media_url: '/assets/intro.mp4' },
            },
          ],
        }),
      ).id;
      const report = await run({ timelineId: mediaOnly });
      assert.equal(byId(report, 'cameras').summary, 'No cameras in this timeline');
      assert.equal(byId(report, 'cameras').status, 'ok');
    });

    it('a camera test that throws is a failed camera, not a failed pre-flight; its message is scrubbed', async () => {
      const report = await run({
        results: { [ids.pier]: new Error('boom at rtsp://admin:cam-PASSWORD@10.0.0.2/s1') },
      });
      const c = byId(report, 'cameras');
      assert.equal(c.status, 'fail');
      assert.match(c.items[1]!.detail, /The camera test could not run/);
      assert.doesNotMatch(JSON.stringify(report), /cam-PASSWORD/);
    });
  });

  describe('destinations', () => {
    it('none chosen: fail, unless the show is meant to be only recorded or previewed (warn)', async () => {
      const none = byId(await run({ destinationIds: [] }), 'destinations');
      assert.deepEqual([none.status, none.summary], ['fail', 'No destination chosen']);
      assert.match(none.remediation!, /Choose a destination/);
      const recorded = byId(
        await run({ destinationIds: [], localOutputs: { recording: true } }),
        'destinations',
      );
      assert.deepEqual(
        [recorded.status, recorded.summary],
        ['warn', 'No destination: the show is only recorded on the appliance'],
      );
      const preview = byId(
        await run({ destinationIds: [], localOutputs: { preview: true } }),
        'destinations',
      );
      assert.equal(preview.status, 'warn');
    });

    it('missing, disabled and keyless destinations fail with what to do; a custom server needs no key', async () => {
      const report = await run({
        destinationIds: [dest.yt, 777, dest.disabled, dest.noKey, dest.custom, dest.yt],
      });
      const d = byId(report, 'destinations');
      assert.equal(d.status, 'fail');
      assert.equal(d.summary, 'Destinations ready (2/5)');
      assert.deepEqual(
        d.items.map((i) => [i.name, i.status]),
        [
          [`YT (destination ${dest.yt})`, 'ok'],
          ['Destination 777', 'fail'],
          [`Twitch (destination ${dest.disabled})`, 'fail'],
          [`YT 2 (destination ${dest.noKey})`, 'fail'],
          [`Own server (destination ${dest.custom})`, 'ok'],
        ],
      );
      assert.equal(d.items[3]!.detail, 'YouTube Live: a stream key is required');
      assert.match(
        d.remediation!,
        /Enter the stream key of YT 2 \(destination \d+\) \(copy it from YouTube Live\)\./,
      );
      assert.match(d.remediation!, /Enable Twitch/);
      // The key typed inline in the custom server's URL was moved to its key field: the URL shown has none.
      assert.equal(d.items[4]!.detail, 'Custom RTMP/RTMPS/SRT, rtmp://stream.example.org/live: ready');
    });

    it('Facebook with a looping timeline: a warning about its 8-hour limit', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 0, 30)], loop: true })).id;
      const d = byId(await run({ timelineId: id, destinationIds: [dest.fb] }), 'destinations');
      assert.equal(d.status, 'warn');
      assert.match(d.items[0]!.detail, /Facebook Live ends a live video after 8 hours; this timeline loops/);
      assert.match(
        d.items[0]!.detail,
        /The appliance restarts the session by itself every 7 h 50 min at a keyframe/,
      );
      assert.match(
        d.remediation!,
        /Nothing to do for .*: the appliance restarts its session before the limit/,
      );
    });

    it('a destination whose session limit is turned off (0) is warned to need a manual restart', async () => {
      store.destinations.update(dest.fb, { max_session_hours: 0 });
      try {
        const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 0, 30)], loop: true })).id;
        const d = byId(await run({ timelineId: id, destinationIds: [dest.fb] }), 'destinations');
        assert.equal(d.status, 'warn');
        assert.match(d.items[0]!.detail, /session limit is turned off \(0\)/);
        assert.match(d.remediation!, /Clear "Max session hours"/);
      } finally {
        store.destinations.update(dest.fb, { max_session_hours: null });
      }
    });

    it('no stream key, camera password or inline key appears anywhere in a report', async () => {
      const report = await run({
        destinationIds: [dest.yt, dest.fb, dest.custom, dest.disabled, dest.noKey],
      });
      const text = JSON.stringify(report);
      for (const secret of [YT_KEY, FB_KEY, 'tw-SECRET', 'inline-KEY-42', 'cam-PASSWORD']) {
        assert.ok(!text.includes(secret), `${secret} leaked`);
      }
    });
  });

  describe('media files', () => {
    it('a missing file fails naming the cue; library files and the slate image are checked too', async () => {
      const id = store.timelines.create(
        doc({
          cues: [
            {
              id: 'intro',
              start_time: 0,
              duration: 5,
              action: 'show_media',
              params: { media_url: '/assets/missing.mp4' },
            },
            {
              id: 'lib',
              start_time: 5,
              duration: 5,
              action: 'show_media',
              params: { asset_id: missingAssetId },
            },
            { id: 'gone', start_time: 10, duration: 5, action: 'show_media', params: { asset_id: 55555 } },
            {
              id: 'web',
              start_time: 15,
              duration: 15,
              action: 'show_media',
              params: { media_url: 'https://example.org/a.png?sig=XYZ' },
            },
          ],
          fallback: { test_pattern: '/assets/no-slate.png' },
        }),
      ).id;
      const a = byId(await run({ timelineId: id }), 'assets');
      assert.equal(a.status, 'fail');
      assert.equal(
        a.summary,
        '4 media files missing (cue "intro", cue "lib", cue "gone" and the slate image)',
      );
      assert.match(
        a.remediation!,
        /^Upload the missing files again, or choose another in the timeline for cue "intro"/,
      );
      assert.deepEqual(
        a.items.map((i) => [i.name, i.status, i.detail]),
        [
          ['Cue "intro" (video track, 0:00)', 'fail', '/assets/missing.mp4 is missing from the media folder'],
          [
            'Cue "lib" (video track, 0:05)',
            'fail',
            `library file "gone.png" (asset ${missingAssetId}) is missing from the disk`,
          ],
          ['Cue "gone" (video track, 0:10)', 'fail', 'asset 55555 is not in the library'],
          [
            'Cue "web" (video track, 0:15)',
            'ok',
            'https://example.org/a.png?sig=****: a web address, fetched when the show starts',
          ],
          [
            'Slate image (fallback.test_pattern)',
            'fail',
            '/assets/no-slate.png is missing from the media folder',
          ],
        ],
      );
    });

    it('a missing image on a switched-off overlay track is only a warning', async () => {
      const id = store.timelines.create(
        doc({
          cues: [cam('a', ids.pier, 0, 30)],
          overlays: [
            {
              track_id: 'spare_logo',
              type: 'overlay',
              layer: 2,
              enabled: false,
              cues: [
                {
                  id: 'l',
                  start_time: 0,
                  duration: 30,
                  action: 'show_overlay',
                  params: { type: 'image', image_url: '/assets/x.png' },
                },
              ],
            },
          ],
        }),
      ).id;
      const a = byId(await run({ timelineId: id }), 'assets');
      assert.equal(a.status, 'warn');
      assert.equal(a.summary, '1 media file missing (cue "l")');
      assert.match(a.items[0]!.detail, /switched off/);
    });

    it('the audio bed: a playlist entry that is not audio fails, naming what it is', async () => {
      writeFileSync(join(mediaRoot, 'assets/bed.mp3'), 'mp3');
      const music = store.assets.create({
        asset_type: 'audio',
        filename: 'bed.mp3',
        file_path: 'assets/bed.mp3',
        file_size: 3,
        mime_type: 'audio/mpeg',
        checksum: null,
        metadata: null,
      }).id;
      const withBed = (assetIds: number[]) => {
        const d = doc({ cues: [cam('a', ids.dock, 0, 30)] });
        return {
          timeline: {
            ...d.timeline,
            tracks: {
              ...d.timeline.tracks,
              audio: {
                track_id: 'bed',
                type: 'audio',
                cues: [
                  {
                    id: 'music',
                    start_time: 0,
                    duration: 30,
                    action: 'play_audio',
                    params: { asset_ids: assetIds },
                  },
                ],
              },
            },
          },
        };
      };
      const good = byId(await run({ timelineId: store.timelines.create(withBed([music])).id }), 'assets');
      assert.deepEqual([good.status, good.summary], ['ok', 'Media files found (1/1)']);
      const bad = byId(
        await run({ timelineId: store.timelines.create(withBed([music, missingAssetId])).id }),
        'assets',
      );
      assert.equal(bad.status, 'fail');
      assert.equal(bad.summary, '1 media file missing (cue "music")');
      assert.equal(bad.items[1]!.name, 'Cue "music" (audio bed, 0:00)');
      assert.equal(bad.items[1]!.detail, `asset ${missingAssetId} is an image, not audio`);
    });

    it("a path naming an upload by its name (any case) finds the upload's file, as the show does", async () => {
      const id = store.timelines.create(
        doc({
          cues: [
            {
              id: 'named',
              start_time: 0,
              duration: 30,
              action: 'show_media',
              params: { media_url: '/assets/INTRO.MP4' },
            },
          ],
        }),
      ).id;
      const a = byId(await run({ timelineId: id }), 'assets');
      assert.deepEqual([a.status, a.summary], ['ok', 'Media files found (1/1)']);
    });

    it('no media in the timeline: ok', async () => {
      const id = store.timelines.create(doc({ cues: [cam('a', ids.pier, 0, 30)] })).id;
      const a = byId(await run({ timelineId: id }), 'assets');
      assert.deepEqual([a.status, a.summary], ['ok', 'No media files in this timeline']);
    });
  });

  describe('encoder', () => {
    it('software at 1080p on ARM is a warning; on x86 or at 720p it is fine', async () => {
      const arm = byId(await run({ detectEncoder: async () => software, arch: 'arm64' }), 'encoder');
      assert.equal(arm.status, 'warn');
      assert.equal(arm.summary, 'H.264 encoder: software (libx264), 1920x1080 in software on an ARM board');
      assert.match(arm.remediation!, /1280x720/);
      assert.match(arm.items[0]!.detail, /also tried: h264_v4l2m2m \(Could not find a valid device/);
      const x86 = byId(await run({ detectEncoder: async () => software, arch: 'x64' }), 'encoder');
      assert.deepEqual([x86.status, x86.summary], ['ok', 'H.264 encoder: software (libx264)']);
      const id = store.timelines.create(
        doc({ cues: [cam('a', ids.pier, 0, 30)], resolution: '1280x720' }),
      ).id;
      const small = byId(
        await run({ timelineId: id, detectEncoder: async () => software, arch: 'arm64' }),
        'encoder',
      );
      assert.equal(small.status, 'ok');
    });

    it('the encoder test cannot run: fail with how to install ffmpeg', async () => {
      const report = await run({
        detectEncoder: async () => {
          throw new Error('spawn ffmpeg ENOENT');
        },
      });
      const e = byId(report, 'encoder');
      assert.equal(e.status, 'fail');
      assert.equal(e.summary, 'The encoder test could not run (spawn ffmpeg ENOENT)');
      assert.equal(e.remediation, ERRORS.OUTPUT_SPAWN_FAILED.remediation);
      assert.equal(report.ok, false);
    });
  });

  it('every check that is not ok says what to do', async () => {
    const report = await run({
      timelineId: 4242,
      destinationIds: [],
      detectEncoder: async () => {
        throw new Error('x');
      },
    });
    for (const c of report.checks) {
      if (c.status === 'ok') assert.equal(c.remediation, null);
      else assert.ok(c.remediation && /[.!]$/.test(c.remediation), `${c.id}: ${c.remediation}`);
      assert.doesNotMatch(c.summary, /\.$/, 'summaries end without a full stop');
    }
  });

  it('formatDuration', () => {
    assert.equal(formatDuration(3600), '1 h');
    assert.equal(formatDuration(5430), '1 h 30 min');
    assert.equal(formatDuration(95), '1 min 35 s');
    assert.equal(formatDuration(0), '0 s');
  });
});
