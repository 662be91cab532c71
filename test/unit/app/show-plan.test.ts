// The show plan translator on a real migrated SQLite store: store rows → cameras with their
// backups, destination targets (strict for a new show, lenient for a crash resume), the PTZ plan
// and the engine's plan. Pre-flight and the show runner both read the store through it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  backupChain,
  destinationTargets,
  enabledCameras,
  enginePlan,
  MAX_BACKUP_CHAIN,
  ptzCameraPlans,
  readDestination,
  showCameras,
  standbyBackupOf,
  type SessionRestartHandler,
} from '../../../src/app/show-plan.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { DestinationUrlError } from '../../../src/ffmpeg/platforms.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import type { Timeline } from '../../../src/timeline/schema.ts';
import { tempDir } from '../../helpers/temp.ts';

const YT_KEY = 'yt-SECRET-key-1';
const CAMERA_PASSWORD = 'cam-PASSWORD-7';

type Raw = Record<string, unknown>;
const cam = (id: string, camera: number, start: number, params: Raw = {}): Raw => ({
  id,
  start_time: start,
  duration: 10,
  action: 'show_camera',
  params: { camera_id: camera, ...params },
});

const noRestarts: SessionRestartHandler = () => assert.fail('no session restarts here');

describe('show plan', () => {
  const dir = tempDir('vistter-show-plan-');
  let store: Store;
  const camera = {} as Record<'dock' | 'pier' | 'spare' | 'off' | 'mast' | 'fixed', number>;
  const dest = {} as Record<'yt' | 'fb' | 'off' | 'noKey', number>;

  function timeline(cues: Raw[], fallback?: Raw): Timeline {
    const id = store.timelines.create({
      timeline: {
        name: `Marina ${Math.random()}`,
        duration: 60,
        resolution: '1280x720',
        tracks: { video: { track_id: 'video', type: 'video', cues }, overlays: [] },
        ...(fallback ? { fallback } : {}),
      },
    }).id;
    return store.timelines.export(id).timeline;
  }

  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
    camera.spare = store.cameras.create({ name: 'Spare', stream_url: 'rtsp://10.0.0.3/s1' }).id;
    camera.dock = store.cameras.create({
      name: 'Dock',
      stream_url: `rtsp://admin:${CAMERA_PASSWORD}@10.0.0.1/s1`,
      backup_camera_id: camera.spare,
    }).id;
    camera.pier = store.cameras.create({ name: 'Pier', stream_url: 'rtsp://10.0.0.2/s1' }).id;
    camera.off = store.cameras.create({ name: 'Old', stream_url: 'rtsp://10.0.0.4/s1', enabled: false }).id;
    camera.mast = store.cameras.create({
      name: 'Mast',
      stream_url: 'rtsp://10.0.0.5/s1',
      camera_type: 'ptz',
      onvif_url: 'http://10.0.0.5/onvif/device_service',
      onvif_username: 'ptz',
      onvif_password: 'onvif-SECRET',
    }).id;
    camera.fixed = store.cameras.create({ name: 'Fixed', stream_url: 'rtsp://10.0.0.6/s1' }).id;
    store.cameras.addPreset(camera.mast, { name: 'harbour', preset_token: 'tok-1' });
    store.cameras.addPreset(camera.mast, { name: 'beach', pan: 0.5, tilt: -0.25, zoom: 0.1 });
    store.cameras.addPreset(camera.mast, { name: 'blank' });
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
      stream_key: 'fb-SECRET',
    }).id;
    dest.off = store.destinations.create({
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
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  describe('readDestination', () => {
    it('reads a usable destination with its URL and the session limit in force', () => {
      const yt = readDestination(store, dest.yt);
      assert.equal(yt.kind, 'ready');
      assert.ok(yt.kind === 'ready' && yt.url.endsWith(`/${YT_KEY}`));
      assert.equal(yt.kind === 'ready' && yt.sessionLimitHours, null);
      const fb = readDestination(store, dest.fb);
      assert.equal(fb.kind === 'ready' && fb.sessionLimitHours, 8);
    });

    it('tells a missing, a disabled and an unusable destination apart', () => {
      const missing = readDestination(store, 9999);
      assert.equal(missing.kind, 'missing');
      assert.equal(missing.kind === 'missing' && missing.error.code, 'DESTINATION_NOT_FOUND');
      assert.equal(readDestination(store, dest.off).kind, 'disabled');
      const noKey = readDestination(store, dest.noKey);
      assert.equal(noKey.kind, 'unusable');
      assert.ok(noKey.kind === 'unusable' && noKey.error instanceof DestinationUrlError);
      assert.match(noKey.kind === 'unusable' ? noKey.error.message : '', /stream key is required/);
    });
  });

  describe('destinationTargets', () => {
    it('makes one target per destination, in order, each once', () => {
      const { targets, warnings } = destinationTargets(
        store,
        [dest.yt, dest.yt, dest.fb],
        'strict',
        () => undefined,
      );
      assert.deepEqual(
        targets.map((t) => t.id),
        [`dest:${dest.yt}`, `dest:${dest.fb}`],
      );
      assert.deepEqual(warnings, []);
      assert.equal(targets[0]!.name, `YT (destination ${dest.yt})`);
      assert.ok(!targets[0]!.name.includes(YT_KEY), 'the name is safe to log');
      assert.equal(targets[0]!.session, undefined, 'YouTube has no session limit');
      assert.ok(targets[1]!.session, 'Facebook ends a live video after 8 h');
      assert.ok(targets[1]!.session.maxMs < 8 * 3_600_000);
    });

    it('tells the show runner when a session restarts, with the destination and its limit', () => {
      const told: Array<[string, number, number]> = [];
      const { targets } = destinationTargets(store, [dest.fb], 'strict', (destination, hours, event) =>
        told.push([destination.name, hours, event.sessionMs]),
      );
      const target = targets[0]!;
      target.session!.onRestart!({
        id: target.id,
        kind: 'destination',
        name: target.name,
        at: 0,
        sessionMs: 1234,
        cut: 'keyframe',
      });
      assert.deepEqual(told, [['FB', 8, 1234]]);
    });

    it('strict: refuses a destination that cannot be used, naming it', () => {
      const refused = (ids: number[]) => {
        try {
          destinationTargets(store, ids, 'strict', noRestarts);
        } catch (error) {
          assert.ok(isAppError(error));
          return { code: error.code, path: error.issues[0]?.path };
        }
        return assert.fail('not refused');
      };
      assert.deepEqual(refused([dest.yt, 9999]), {
        code: 'DESTINATION_NOT_FOUND',
        path: 'destinationIds[1]',
      });
      assert.deepEqual(refused([dest.off]), { code: 'VALIDATION_FAILED', path: 'destinationIds[0]' });
      assert.deepEqual(refused([dest.noKey]), {
        code: 'VALIDATION_FAILED',
        path: `destinations[${dest.noKey}].stream_key`,
      });
    });

    it('lenient: leaves out what cannot be used, with a warning each', () => {
      const { targets, warnings } = destinationTargets(
        store,
        [9999, dest.off, dest.noKey, dest.yt],
        'lenient',
        noRestarts,
      );
      assert.deepEqual(
        targets.map((t) => t.id),
        [`dest:${dest.yt}`],
      );
      assert.equal(warnings.length, 3);
      assert.match(warnings[0]!, /there is no destination 9999: left out/);
      assert.match(warnings[1]!, /"Twitch"\) is disabled: left out/);
      assert.match(warnings[2]!, /"YT 2"\).*stream key is required.*: left out/);
    });
  });

  describe('cameras and backups', () => {
    it('gives every enabled camera with its own backup, else the timeline’s fallback', () => {
      const plan = timeline([cam('a', camera.dock, 0), cam('b', camera.pier, 10)], {
        backup_camera_id: camera.fixed,
      });
      const { feeds, warnings } = showCameras(store, {}, plan);
      assert.deepEqual(
        [...feeds.keys()].sort(),
        [camera.spare, camera.dock, camera.pier, camera.mast, camera.fixed].sort(),
      );
      assert.ok(!feeds.has(camera.off), 'a disabled camera is not decoded');
      assert.equal(feeds.get(camera.dock)!.backupCameraId, camera.spare, 'its own backup first');
      assert.equal(feeds.get(camera.pier)!.backupCameraId, camera.fixed, 'the timeline’s fallback');
      assert.equal(feeds.get(camera.fixed)!.backupCameraId, undefined, 'not its own backup');
      const dock = feeds.get(camera.dock)!;
      assert.ok(dock.kind === 'url' && dock.url.includes(CAMERA_PASSWORD), 'the engine gets the credentials');
      assert.deepEqual(warnings, []);
    });

    it('warns of a camera the timeline shows that the show does not have', () => {
      const plan = timeline([cam('a', camera.off, 0), cam('b', 424242, 10)]);
      const { warnings } = showCameras(store, {}, plan);
      assert.equal(warnings.length, 2);
      for (const warning of warnings) assert.match(warning, /the slate is shown instead/);
      assert.ok(warnings.every((w) => !w.includes(CAMERA_PASSWORD)));
    });

    it('uses the generated test cameras of a demo show instead of the store’s', () => {
      const plan = timeline([cam('a', 1, 0)]);
      const { feeds, warnings } = showCameras(
        store,
        { generatedCameras: [{ id: 1, name: 'demo 1', pattern: 'testsrc2', label: 'Demo 1' }] },
        plan,
      );
      assert.deepEqual([...feeds.keys()], [1]);
      assert.equal(feeds.get(1)!.kind, 'generated');
      assert.deepEqual(warnings, []);
    });

    it('stands by only a backup the engine has', () => {
      const backupOf = standbyBackupOf(
        new Map([
          [1, { kind: 'generated', name: 'a', pattern: 'testsrc2', label: 'a', backupCameraId: 2 }],
          [2, { kind: 'generated', name: 'b', pattern: 'testsrc2', label: 'b', backupCameraId: 3 }],
        ] as const),
      );
      assert.equal(backupOf(1), 2);
      assert.equal(backupOf(2), null, 'camera 3 is not in the show');
      assert.equal(backupOf(7), null);
    });

    it('follows the backup chain as the engine does: enabled cameras, no loops, at most the engine’s steps', () => {
      const cameras = new Map(
        [1, 2, 3, 4, 5, 6, 7].map((id) => [id, { backup_camera_id: id < 7 ? id + 1 : null, enabled: true }]),
      );
      assert.equal(MAX_BACKUP_CHAIN, 4);
      assert.deepEqual(backupChain(1, cameras, {}), [2, 3, 4, 5]);
      cameras.get(4)!.enabled = false;
      assert.deepEqual(backupChain(1, cameras, {}), [2, 3], 'a disabled camera ends the chain');
      cameras.get(3)!.backup_camera_id = 1;
      assert.deepEqual(backupChain(1, cameras, {}), [2, 3], 'no loop back to the camera');
      const shared = new Map([
        [1, { backup_camera_id: null, enabled: true }],
        [9, { backup_camera_id: null, enabled: true }],
      ]);
      assert.deepEqual(backupChain(1, shared, { fallback: { backup_camera_id: 9 } }), [9]);
    });

    it('lists the enabled cameras of the store', () => {
      assert.deepEqual(
        [...enabledCameras(store).keys()].sort(),
        [camera.spare, camera.dock, camera.pier, camera.mast, camera.fixed].sort(),
      );
    });
  });

  describe('ptzCameraPlans', () => {
    it('is null for a timeline without preset cues', () => {
      assert.equal(ptzCameraPlans(store, timeline([cam('a', camera.mast, 0)])), null);
    });

    it('plans each camera a preset cue moves, with what cannot be moved and why', () => {
      const plans = ptzCameraPlans(
        store,
        timeline([
          cam('a', camera.mast, 0, { preset_id: 'harbour' }),
          cam('b', camera.mast, 10, { preset_id: 'beach' }),
          cam('c', camera.mast, 20, { preset_id: 'blank' }),
          cam('d', camera.mast, 30, { preset_id: 'nowhere' }),
          cam('e', camera.fixed, 40, { preset_id: 'home' }),
        ]),
        { defaultSettleSeconds: 2, timeoutMs: 1500 },
      )!;
      const mast = plans.get(camera.mast)!;
      assert.equal(mast.problem, null);
      assert.equal(mast.settleSeconds, 2);
      assert.equal(mast.onvif?.timeoutMs, 1500);
      assert.equal(mast.onvif?.password, 'onvif-SECRET');
      assert.deepEqual(mast.presets.get('harbour'), { name: 'harbour', token: 'tok-1' });
      assert.deepEqual(mast.presets.get('beach'), {
        name: 'beach',
        position: { pan: 0.5, tilt: -0.25, zoom: 0.1 },
      });
      assert.match(
        (mast.presets.get('blank') as { problem: string }).problem,
        /neither a camera preset token/,
      );
      assert.match((mast.presets.get('nowhere') as { problem: string }).problem, /no preset "nowhere"/);
      const fixed = plans.get(camera.fixed)!;
      assert.equal(fixed.onvif, null);
      assert.equal(fixed.problem, 'it is not set up as a PTZ camera');
    });
  });

  describe('enginePlan', () => {
    it('builds the engine’s plan: media root, assets under the data folder, resume and start level', () => {
      const plan = timeline([cam('a', camera.dock, 0)]);
      const assetId = store.assets.create({
        asset_type: 'image',
        filename: 'logo.png',
        file_path: 'assets/logo.png',
        file_size: 3,
        mime_type: 'image/png',
        checksum: null,
        metadata: null,
      }).id;
      const base = {
        store,
        dataDir: dir.path,
        timeline: plan,
        cameras: new Map(),
        targets: [],
      };
      const fresh = enginePlan({
        ...base,
        request: { timelineId: 1, destinationIds: [], previewDir: '/tmp/preview' },
        startFrame: 0,
        resumed: false,
        startLevel: 0,
      });
      assert.equal(fresh.mediaRoot, dir.path);
      assert.equal(fresh.previewDir, '/tmp/preview');
      assert.equal(fresh.assetPath!(assetId), join(dir.path, 'assets/logo.png'));
      assert.equal(fresh.assetPath!(987654), null);
      assert.equal(fresh.startFrame, undefined);
      assert.equal(fresh.prerollCatchUp, undefined);
      assert.equal(fresh.degrade, undefined, 'level 0 is the operator’s settings');

      const resumed = enginePlan({
        ...base,
        request: {
          timelineId: 1,
          destinationIds: [],
          mediaRoot: '/opt/demo',
          encoder: { preset: 'veryfast', bitrateKbps: 2500 },
        },
        recordPath: '/rec/show-1.mp4',
        startFrame: 900,
        resumed: true,
        startLevel: 2,
      });
      assert.equal(resumed.mediaRoot, '/opt/demo');
      assert.equal(
        resumed.assetPath!(assetId),
        join(dir.path, 'assets/logo.png'),
        'assets stay in the data folder',
      );
      assert.equal(resumed.recordPath, '/rec/show-1.mp4');
      assert.deepEqual(resumed.encoder, { preset: 'veryfast', bitrateKbps: 2500 });
      assert.equal(resumed.startFrame, 900);
      assert.equal(resumed.prerollCatchUp, true);
      assert.deepEqual(resumed.degrade, { startLevel: 2 });
    });

    it('passes the loudness target from Settings: −14 LUFS by default, the stored value, or off', () => {
      const plan = (): ReturnType<typeof enginePlan> =>
        enginePlan({
          store,
          dataDir: dir.path,
          timeline: timeline([cam('a', camera.dock, 0)]),
          cameras: new Map(),
          targets: [],
          request: { timelineId: 1, destinationIds: [] },
          startFrame: 0,
          resumed: false,
          startLevel: 0,
        });
      assert.equal(plan().loudnessTargetLufs, -14);
      store.settings.set('audio.loudness_target', -23);
      assert.equal(plan().loudnessTargetLufs, -23);
      store.settings.set('audio.loudness_target', 'off');
      assert.equal(plan().loudnessTargetLufs, null);
      store.settings.set('audio.loudness_target', null);
      assert.equal(plan().loudnessTargetLufs, -14);
    });
  });
});
