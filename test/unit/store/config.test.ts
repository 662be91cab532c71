import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../../src/errors/registry.ts';
import { loadMigrations, migrate, openDatabase } from '../../../src/store/database.ts';
import { createSecretBox, loadSecretKey } from '../../../src/store/secrets.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('migrations', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('applies every numbered migration once, in order, and records them', () => {
    const path = join(dir.path, 'm.db');
    const db = openDatabase(path);
    const all = loadMigrations().map((m) => m.version);
    assert.deepEqual(
      all,
      [...all].sort((a, b) => a - b),
    );
    assert.deepEqual(migrate(db), all);
    assert.deepEqual(migrate(db), [], 'a second run applies nothing');
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    for (const table of [
      'alerts',
      'assets',
      'cameras',
      'destinations',
      'ptz_presets',
      'schema_migrations',
      'settings',
      'timeline_cues',
      'timeline_executions',
      'timeline_tracks',
      'timelines',
      'users',
    ]) {
      assert.ok(tables.includes(table), `missing table ${table}`);
    }
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    db.close();
  });

  it('rolls back a failing migration whole', () => {
    const db = openDatabase(join(dir.path, 'bad.db'));
    migrate(db);
    const broken = [
      { version: 999, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    assert.throws(() => migrate(db, broken), /no such table: nowhere/);
    assert.equal(db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'`).pluck().get(), 0);
    assert.equal(db.prepare('SELECT COUNT(*) FROM schema_migrations WHERE version = 999').pluck().get(), 0);
    db.close();
  });
});

describe('secrets at rest', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('creates a private key file once and reuses it', () => {
    const key = loadSecretKey(dir.path, {});
    assert.equal(key.length, 32);
    assert.equal(statSync(join(dir.path, 'secret.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey(dir.path, {}), key);
  });

  it('prefers VISTTER_SECRET_KEY and rejects a malformed one', () => {
    const key = randomBytes(32);
    assert.deepEqual(loadSecretKey(dir.path, { VISTTER_SECRET_KEY: key.toString('base64') }), key);
    assert.throws(
      () => loadSecretKey(dir.path, { VISTTER_SECRET_KEY: 'short' }),
      (e) => isAppError(e) && e.code === 'SECRET_KEY_INVALID',
    );
  });

  it('seals with a fresh nonce and refuses the wrong key', () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal('hunter2');
    assert.notEqual(a, box.seal('hunter2'));
    assert.equal(box.open(a), 'hunter2');
    assert.throws(
      () => createSecretBox(randomBytes(32)).open(a),
      (e) => isAppError(e) && e.code === 'SECRET_UNREADABLE',
    );
  });
});

describe('configuration repositories', () => {
  const dir = tempDir();
  let store: Store;
  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  it('stores camera credentials encrypted and never returns them', () => {
    const camera = store.cameras.create({
      name: 'Wharf',
      stream_url: 'rtsp://admin:s3cret%21@10.0.0.5:554/stream1',
    });
    assert.equal(camera.stream_url, 'rtsp://10.0.0.5:554/stream1');
    assert.equal(camera.username, 'admin');
    assert.equal(camera.has_password, true);
    assert.equal(JSON.stringify(camera).includes('s3cret'), false);
    const fileBytes =
      readFileSync(store.path).toString('latin1') + readFileSync(`${store.path}-wal`).toString('latin1');
    assert.equal(fileBytes.includes('s3cret'), false, 'the password is not in the database file in clear');
    assert.equal(store.cameras.connection(camera.id).url, 'rtsp://admin:s3cret!@10.0.0.5:554/stream1');
    const tricky = store.cameras.create({
      name: 'Gate',
      stream_url: 'rtsp://10.0.0.4/h264',
      username: 'op',
      password: 'p@ss:w/rd',
    });
    const url = new URL(store.cameras.connection(tricky.id).url);
    assert.deepEqual(
      [url.hostname, decodeURIComponent(url.username), decodeURIComponent(url.password)],
      ['10.0.0.4', 'op', 'p@ss:w/rd'],
    );
  });

  it('validates cameras with field paths and links a backup camera', () => {
    assert.throws(
      () => store.cameras.create({ name: '', stream_url: 'ftp://x', camera_type: 'dome' }),
      (e) =>
        isAppError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        ['name', 'stream_url', 'camera_type'].every((path) => e.issues.some((i) => i.path === path)),
    );
    const backup = store.cameras.create({ name: 'Backup', stream_url: 'rtsp://10.0.0.6/s' });
    const main = store.cameras.create({
      name: 'Main',
      stream_url: 'rtsp://10.0.0.7/s',
      backup_camera_id: backup.id,
    });
    assert.equal(main.backup_camera_id, backup.id);
    assert.throws(() => store.cameras.update(main.id, { backup_camera_id: main.id }), /its own backup/);
    assert.throws(
      () => store.cameras.create({ name: 'Main', stream_url: 'rtsp://10.0.0.8/s' }),
      (e) => isAppError(e) && e.code === 'CONFLICT',
    );
    store.cameras.delete(backup.id);
    assert.equal(store.cameras.get(main.id).backup_camera_id, null, 'deleting a backup unlinks it');
  });

  it('keeps PTZ presets per camera, found by the name timelines use', () => {
    const ptz = store.cameras.create({
      name: 'Dock PTZ',
      stream_url: 'rtsp://10.0.0.9/s',
      camera_type: 'ptz',
      onvif_url: 'http://10.0.0.9/onvif/device_service',
      onvif_username: 'op',
      onvif_password: 'pw',
    });
    store.cameras.addPreset(ptz.id, { name: 'wide_shot', preset_token: '1' });
    store.cameras.addPreset(ptz.id, { name: 'close_up', preset_token: '2', zoom: 0.8 });
    assert.equal(store.cameras.findPreset(ptz.id, 'close_up').preset_token, '2');
    assert.deepEqual(store.cameras.connection(ptz.id).onvif, {
      url: 'http://10.0.0.9/onvif/device_service',
      username: 'op',
      password: 'pw',
    });
    assert.throws(
      () => store.cameras.findPreset(ptz.id, 'missing'),
      (e) => isAppError(e) && e.code === 'PRESET_NOT_FOUND',
    );
    store.cameras.delete(ptz.id);
    assert.equal(
      store.db.prepare('SELECT COUNT(*) FROM ptz_presets WHERE camera_id = ?').pluck().get(ptz.id),
      0,
    );
  });

  it('masks stream keys on every read and keeps them sealed', () => {
    const yt = store.destinations.create({
      name: 'YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      stream_key: 'abcd-efgh-ijkl-mnop',
    });
    assert.equal(yt.stream_key_masked, '••••••••mnop');
    assert.equal(JSON.stringify(store.destinations.list()).includes('abcd-efgh'), false);
    assert.equal(store.destinations.streamKey(yt.id), 'abcd-efgh-ijkl-mnop');
    const updated = store.destinations.update(yt.id, { stream_key: 'zzzz-yyyy-xxxx-wwww' });
    assert.equal(updated.stream_key_masked, '••••••••wwww');
    assert.throws(
      () =>
        store.destinations.create({
          name: 'FB',
          platform: 'facebook',
          server_url: 'rtmp://live-api-s.facebook.com/rtmp/',
        }),
      (e) => isAppError(e) && e.issues.some((i) => i.path === 'server_url' && /RTMPS/.test(i.message)),
    );
  });

  it('keeps a YouTube destination’s broadcast settings, with defaults, for YouTube only', () => {
    const yt = store.destinations.create({
      name: 'Marina on YouTube',
      platform: 'youtube',
      server_url: 'rtmp://a.rtmp.youtube.com/live2',
      youtube: { connection_id: 1, title: 'Marina live', privacy: 'unlisted' },
    });
    assert.deepEqual(store.destinations.get(yt.id).youtube, {
      connection_id: 1,
      title: 'Marina live',
      description: '',
      privacy: 'unlisted',
      latency: 'normal',
      dvr: true,
      auto_start: false,
      keep_archive: false,
    });
    const changed = store.destinations.update(yt.id, {
      youtube: { connection_id: 1, title: 'Harbour', keep_archive: true },
    });
    assert.equal(changed.youtube?.title, 'Harbour');
    assert.equal(changed.youtube?.keep_archive, true);
    assert.throws(
      () => store.destinations.update(yt.id, { platform: 'twitch' }),
      (e) =>
        isAppError(e) &&
        e.issues.some((i) => i.path === 'youtube' && /YouTube destination only/.test(i.message)),
    );
    assert.equal(store.destinations.update(yt.id, { youtube: null }).youtube, null);
  });

  it('records executions, settings, alerts, assets and users', () => {
    const { id: timelineId } = store.timelines.create({
      timeline: { name: 't', duration: 10, tracks: { video: { track_id: 'v', type: 'video', cues: [] } } },
    });
    const run = store.executions.start(timelineId);
    assert.equal(run.status, 'running');
    assert.deepEqual(
      store.executions.running().map((e) => e.id),
      [run.id],
    );
    const done = store.executions.finish(run.id, 'completed', { metrics: { frames: 300 } });
    assert.deepEqual([done.status, done.metrics], ['completed', { frames: 300 }]);
    assert.ok(done.completed_at);

    store.settings.set('encoder.profile', 'reliability');
    assert.equal(store.settings.get('encoder.profile', 'quality'), 'reliability');
    assert.equal(store.settings.get('missing', 7), 7);

    const alert = store.alerts.raise({
      severity: 'warning',
      code: 'CAMERA_OFFLINE',
      message: 'Camera 2 offline — switched to backup camera 3.',
      remediation: 'Check its power and network.',
      source: 'camera:2',
    });
    assert.deepEqual(
      store.alerts.list({ unacknowledgedOnly: true }).map((a) => a.id),
      [alert.id],
    );
    assert.equal(store.alerts.acknowledge(alert.id).acknowledged, true);
    assert.deepEqual(store.alerts.list({ unacknowledgedOnly: true }), []);

    const asset = store.assets.create({
      asset_type: 'image',
      filename: 'logo.png',
      file_path: '/data/assets/1-logo.png',
      file_size: 1234,
      mime_type: 'image/png',
      checksum: 'ab'.repeat(32),
      metadata: { width: 200, height: 100 },
    });
    assert.deepEqual(store.assets.get(asset.id).metadata, { width: 200, height: 100 });

    assert.equal(store.users.count(), 0);
    store.users.create('admin', 'scrypt$hash');
    assert.equal(
      store.users.credentials('ADMIN')?.password_hash,
      'scrypt$hash',
      'user names are case-insensitive',
    );
    assert.throws(
      () => store.users.create('Admin', 'x'),
      (e) => isAppError(e) && e.code === 'CONFLICT',
    );
  });
});
