// Secrets typed into a server URL or the webhook URL end up sealed on disk, also in a database
// saved by an older version (the API side: test/unit/api/secrets-in-answers.test.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { destinationUrl } from '../../../src/ffmpeg/platforms.ts';
import { loadMigrations, migrate, openDatabase } from '../../../src/store/database.ts';
import { moveKeyOutOfServerUrl } from '../../../src/store/repositories/destinations.ts';
import { SettingsRepository } from '../../../src/store/repositories/records.ts';
import { createSecretBox } from '../../../src/store/secrets.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

const INLINE_KEY = 'inline-secret-key-42';
const YOUTUBE_KEY = 'abcd-efgh-ijkl-mnop';
const FACEBOOK_KEY = 'FB-1234567890-0-AbCdEfGh?s_bl=1&s_psm=1&a=Secret9x';
const PASSPHRASE = 'longpassphrase1';
const RTMP_PASSWORD = 'rtmp-pw-778899';
const WEBHOOK_TOKEN = 'tok_9f8e7d6c5b4a3210';
const SECRETS = [INLINE_KEY, YOUTUBE_KEY, 'AbCdEfGh', PASSPHRASE, RTMP_PASSWORD, WEBHOOK_TOKEN];

interface RawDestination {
  id: number;
  platform: 'youtube' | 'facebook' | 'twitch' | 'custom';
  server_url: string;
  server_url_enc: string | null;
  stream_key_enc: string | null;
}

/** Everything SQLite keeps on disk for this database (WAL and shared memory included). */
function bytesOnDisk(dbPath: string): string {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

function assertNotOnDisk(dbPath: string): void {
  const bytes = bytesOnDisk(dbPath);
  for (const secret of SECRETS)
    assert.equal(bytes.includes(secret), false, `"${secret}" is on disk in clear`);
}

/** The address the publisher is given for a destination. */
function publishedUrl(store: Store, id: number): string {
  const destination = store.destinations.get(id);
  return destinationUrl(destination.platform, destination.server_url, store.destinations.streamKey(id) ?? '');
}

describe('moveKeyOutOfServerUrl', () => {
  it('takes the path after the RTMP application (with its query) as the key when none is set', () => {
    assert.deepEqual(moveKeyOutOfServerUrl(`rtmp://a.rtmp.youtube.com/live2/${YOUTUBE_KEY}`, null), {
      serverUrl: 'rtmp://a.rtmp.youtube.com/live2',
      streamKey: YOUTUBE_KEY,
    });
    assert.deepEqual(moveKeyOutOfServerUrl(`rtmps://live-api-s.facebook.com:443/rtmp/${FACEBOOK_KEY}`, ''), {
      serverUrl: 'rtmps://live-api-s.facebook.com:443/rtmp',
      streamKey: FACEBOOK_KEY,
    });
  });

  it('leaves a key-less server, a set key and other schemes alone', () => {
    for (const [url, key] of [
      ['rtmp://10.0.0.2/live', null],
      ['rtmp://10.0.0.2/live/', null],
      ['rtmp://h/app/instance', 'k123'],
      [`srt://relay:9000?passphrase=${PASSPHRASE}`, null],
    ] as const) {
      assert.equal(moveKeyOutOfServerUrl(url, key).serverUrl, url);
    }
  });
});

describe('destination secrets at rest (real SQLite file)', () => {
  const dir = tempDir('vistter-secrets-');
  let store: Store;
  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });
  const raw = (id: number) =>
    store.db.prepare('SELECT * FROM destinations WHERE id = ?').get(id) as RawDestination;

  it('a key typed into the server URL is moved to the sealed key field; the publisher gets the same address', () => {
    const typed = `rtmp://a.rtmp.youtube.com/live2/${YOUTUBE_KEY}`;
    const youtube = store.destinations.create({ name: 'YT', platform: 'youtube', server_url: typed });
    assert.equal(youtube.server_url, 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(youtube.stream_key_masked, '••••••••mnop');
    assert.equal(store.destinations.streamKey(youtube.id), YOUTUBE_KEY);
    assert.equal(publishedUrl(store, youtube.id), typed);
    assert.equal(raw(youtube.id).server_url, 'rtmp://a.rtmp.youtube.com/live2');
    assert.equal(raw(youtube.id).server_url_enc, null);

    const fbTyped = `rtmps://live-api-s.facebook.com:443/rtmp/${FACEBOOK_KEY}`;
    const facebook = store.destinations.create({ name: 'FB', platform: 'facebook', server_url: fbTyped });
    assert.equal(publishedUrl(store, facebook.id), fbTyped);

    const customTyped = `rtmp://restream.example.net/live/${INLINE_KEY}`;
    const custom = store.destinations.create({ name: 'Own', platform: 'custom', server_url: customTyped });
    assert.equal(publishedUrl(store, custom.id), customTyped);
    assertNotOnDisk(store.path);
  });

  it('a URL with another secret is sealed whole, its masked form kept beside it', () => {
    const srtUrl = `srt://relay.example.net:9000?streamid=publish/x&passphrase=${PASSPHRASE}`;
    const srt = store.destinations.create({ name: 'SRT', platform: 'custom', server_url: srtUrl });
    assert.equal(srt.server_url, srtUrl, 'the engine reads the full address');
    assert.equal(raw(srt.id).server_url, 'srt://relay.example.net:9000?streamid=****&passphrase=****');
    assert.match(raw(srt.id).server_url_enc ?? '', /^v1:/);
    assert.equal(publishedUrl(store, srt.id), srtUrl);

    const withUser = `rtmp://publisher:${RTMP_PASSWORD}@ingest.example.net/app/instance`;
    const both = store.destinations.create({
      name: 'Both',
      platform: 'custom',
      server_url: withUser,
      stream_key: 'k-5566',
    });
    assert.equal(raw(both.id).server_url, 'rtmp://publisher:****@ingest.example.net/app/****');
    assert.equal(publishedUrl(store, both.id), `${withUser}/k-5566`);
    assertNotOnDisk(store.path);

    // Renaming keeps the secrets; a server without one is stored plainly again.
    store.destinations.update(srt.id, { name: 'SRT relay' });
    assert.equal(store.destinations.get(srt.id).server_url, srtUrl);
    store.destinations.update(srt.id, { server_url: 'srt://relay.example.net:9000' });
    assert.equal(raw(srt.id).server_url, 'srt://relay.example.net:9000');
    assert.equal(raw(srt.id).server_url_enc, null);
  });

  it('on a change too, a key typed into the URL is moved; a new key later keeps the server', () => {
    const created = store.destinations.create({
      name: 'Twitch',
      platform: 'twitch',
      server_url: 'rtmp://live.twitch.tv/app',
      stream_key: 'live_1_aaaa',
    });
    store.destinations.update(created.id, {
      server_url: `rtmp://live.twitch.tv/app/${INLINE_KEY}`,
      stream_key: null,
    });
    assert.equal(store.destinations.get(created.id).server_url, 'rtmp://live.twitch.tv/app');
    assert.equal(store.destinations.streamKey(created.id), INLINE_KEY);
    store.destinations.update(created.id, { stream_key: 'live_2_bbbb' });
    assert.equal(publishedUrl(store, created.id), 'rtmp://live.twitch.tv/app/live_2_bbbb');
  });
});

describe('a database saved before secrets in URLs were sealed', () => {
  const dir = tempDir('vistter-old-db-');
  const key = randomBytes(32);
  const dbPath = join(dir.path, 'vistterstream.db');
  const webhookUrl = `https://hooks.example.com/vistter?token=${WEBHOOK_TOKEN}`;
  const clear = {
    custom: `rtmp://restream.example.net/live/${INLINE_KEY}`,
    srt: `srt://relay.example.net:9000?streamid=publish/x&passphrase=${PASSPHRASE}`,
    youtube: 'rtmp://a.rtmp.youtube.com/live2',
  };
  let store: Store;

  before(() => {
    // Made by the migrations of the last release (001–006), rows written in clear as it did.
    const old = openDatabase(dbPath);
    migrate(
      old,
      loadMigrations().filter((migration) => migration.version <= 6),
    );
    const insert = old.prepare(
      'INSERT INTO destinations (id, name, platform, server_url, stream_key_enc) VALUES (?, ?, ?, ?, ?)',
    );
    insert.run(1, 'Own', 'custom', clear.custom, null);
    insert.run(2, 'SRT', 'custom', clear.srt, null);
    insert.run(3, 'YT', 'youtube', clear.youtube, createSecretBox(key).seal(YOUTUBE_KEY));
    old
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?)')
      .run('alerts.webhook', JSON.stringify({ url: webhookUrl, enabled: true }));
    old.close();
    assert.ok(bytesOnDisk(dbPath).includes(INLINE_KEY), 'the old file held the key in clear');
    store = openStore({ dataDir: dir.path, secretKey: key });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  it('seals the destinations’ URL secrets when the store opens; the shows publish to the same addresses', () => {
    assert.equal(publishedUrl(store, 1), clear.custom);
    assert.equal(publishedUrl(store, 2), clear.srt);
    assert.equal(publishedUrl(store, 3), `${clear.youtube}/${YOUTUBE_KEY}`);
    const rows = store.db.prepare('SELECT * FROM destinations ORDER BY id').all() as RawDestination[];
    assert.deepEqual(
      rows.map((row) => row.server_url),
      [
        'rtmp://restream.example.net/live',
        'srt://relay.example.net:9000?streamid=****&passphrase=****',
        clear.youtube,
      ],
    );
    assert.equal(bytesOnDisk(dbPath).includes(INLINE_KEY), false);
    assert.equal(bytesOnDisk(dbPath).includes(PASSPHRASE), false);
  });

  it('seals the webhook URL when the settings are opened with the key; reads give it back whole', () => {
    const settings = new SettingsRepository(store.db, createSecretBox(key));
    assert.deepEqual(settings.get('alerts.webhook', null), { url: webhookUrl, enabled: true });
    const stored = JSON.parse(
      store.db.prepare("SELECT value FROM settings WHERE key = 'alerts.webhook'").pluck().get() as string,
    ) as { url: string; url_enc: string; enabled: boolean };
    assert.equal(stored.url, 'https://hooks.example.com/vistter?token=****');
    assert.match(stored.url_enc, /^v1:/);
    assert.equal(bytesOnDisk(dbPath).includes(WEBHOOK_TOKEN), false);

    settings.set('alerts.webhook', { url: `${webhookUrl}2`, enabled: false });
    assert.deepEqual(settings.all()['alerts.webhook'], { url: `${webhookUrl}2`, enabled: false });
    assertNotOnDisk(dbPath);
    // Opening again changes nothing more.
    const again = new SettingsRepository(store.db, createSecretBox(key));
    assert.deepEqual(again.get('alerts.webhook', null), { url: `${webhookUrl}2`, enabled: false });
  });
});
