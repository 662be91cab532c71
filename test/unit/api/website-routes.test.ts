// The venue website's public routes through the real API (real SQLite file): off by default and
// then indistinguishable from an unknown address; once on, the live JPEG with its cache headers and
// per-client limit, the player page with the configured frame-ancestors, the HLS files read-only;
// the website settings validated with field paths, the push credentials sealed and masked.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningShow } from '../../../src/app/running-show.ts';
import { ShowControl } from '../../../src/app/show-control.ts';
import type { ProgramPicture } from '../../../src/engine/index.ts';
import { createApiHarness, databaseBytes, type ApiHarness } from '../../helpers/api.ts';
import { colourDistance, isJpeg, lookAtJpeg, solidPicture } from '../../helpers/website-jpeg.ts';

let program: ProgramPicture | null = solidPicture(640, 360, [30, 60, 210]);

class PictureShows extends ShowControl {
  override programPicture(): { executionId: number; picture: ProgramPicture } | null {
    return program ? { executionId: 7, picture: program } : null;
  }
  override programFeed(): ReturnType<ShowControl['programFeed']> {
    const attach = (): never => {
      throw new Error('not in this test');
    };
    return program ? { executionId: 7, attach } : null;
  }
}

function webRootIn(dataDir: string): string {
  const webRoot = join(dataDir, 'web');
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');
  return webRoot;
}

const PUBLIC = ['/live.jpg', '/embed/player', '/embed/player.js', '/embed/hls/index.m3u8'];

describe('the website’s public routes (real SQLite file)', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness(({ store, clock, dataDir }) => ({
      // The web UI as on the appliance: a stranger's unknown address is the page route's 404.
      webRoot: webRootIn(dataDir),
      shows: new PictureShows({
        store,
        dataDir,
        clock,
        runner: {
          start: async (): Promise<RunningShow> => {
            throw new Error('not in this test');
          },
        },
        preflight: async () => ({ ok: true, checks: [] }),
      }),
    }));
    await api.signIn();
  });
  after(() => api.close());

  const stranger = (url: string, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'GET', url, headers });

  it('answers 404 while off, exactly like an address the appliance does not have', async () => {
    const unknown = await stranger('/no-such-thing.jpg');
    for (const url of PUBLIC) {
      const answer = await stranger(url);
      assert.equal(answer.statusCode, 404, url);
      assert.deepEqual(
        { ...answer.json<Record<string, unknown>>(), message: '' },
        { ...unknown.json<Record<string, unknown>>(), message: '' },
        `${url} says nothing more than an unknown address`,
      );
      assert.equal(answer.json().message, `there is no GET ${url}`);
    }
  });

  it('validates the website settings with field paths', async () => {
    const slow = await api.call('PUT', '/api/settings/website.live_picture', {
      value: { enabled: true, interval_s: 4 },
    });
    assert.equal(slow.statusCode, 400);
    assert.deepEqual(slow.json().issues, [
      { path: 'value.interval_s', message: 'must be at least 5 seconds' },
    ]);
    const userInUrl = await api.call('PUT', '/api/settings/website.push', {
      value: { enabled: true, url: 'https://me:secret@example.com/cam.jpg' },
    });
    assert.equal(userInUrl.statusCode, 400);
    assert.equal(userInUrl.json().issues[0].path, 'value.url');
    assert.doesNotMatch(userInUrl.body, /secret/);
    const ftp = await api.call('PUT', '/api/settings/website.push', {
      value: { enabled: true, url: 'ftp://example.com/cam.jpg', method: 'PATCH' },
    });
    assert.deepEqual(
      ftp.json().issues.map((issue: { path: string }) => issue.path),
      ['value.url', 'value.method'],
    );
    const site = await api.call('PUT', '/api/settings/website.player', {
      value: { enabled: true, embed_sites: ['https://www.venue.example/page'] },
    });
    assert.equal(site.json().issues[0].path, 'value.embed_sites.0');
  });

  it('seals the push credentials and never answers them', async () => {
    const saved = await api.call('PUT', '/api/settings/website.push_credentials', {
      value: { type: 'basic', user: 'venue', password: 'hunter2-website' },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().value, { type: 'basic', user: 'venue', password: '****' });
    const all = await api.call('GET', '/api/settings');
    assert.deepEqual(all.json()['website.push_credentials'], {
      type: 'basic',
      user: 'venue',
      password: '****',
    });
    assert.equal(databaseBytes(api).includes(Buffer.from('hunter2-website')), false, 'sealed at rest');
    const mask = await api.call('PUT', '/api/settings/website.push_credentials', {
      value: { type: 'bearer', token: '****' },
    });
    assert.equal(mask.statusCode, 400);
    assert.equal(mask.json().issues[0].path, 'value.token');
  });

  it('serves the live JPEG from its cache with validators, and 429 past the per-client limit', async () => {
    const on = await api.call('PUT', '/api/settings/website.live_picture', {
      value: { enabled: true, size: '1280x720', interval_s: 10, requests_per_minute: 4 },
    });
    assert.equal(on.statusCode, 200, on.body);
    const first = await stranger('/live.jpg');
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['content-type'], 'image/jpeg');
    assert.equal(first.headers['cache-control'], 'public, max-age=10');
    assert.equal(first.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.ok(first.headers['last-modified']);
    assert.equal(first.headers['set-cookie'], undefined);
    assert.ok(isJpeg(first.rawPayload));
    const look = await lookAtJpeg(first.rawPayload);
    assert.deepEqual([look.width, look.height], [1280, 720]);
    assert.ok(colourDistance(look.mean, [30, 60, 210]) < 25, `mean ${look.mean.join(',')}`);

    program = solidPicture(640, 360, [230, 200, 20]);
    const cached = await stranger('/live.jpg');
    assert.equal(cached.headers.etag, first.headers.etag, 'within the interval: the same still');
    const revalidated = await stranger('/live.jpg', { 'if-none-match': String(first.headers.etag) });
    assert.equal(revalidated.statusCode, 304);
    const limited = await stranger('/live.jpg');
    assert.equal(limited.statusCode, 200);
    const refused = await stranger('/live.jpg');
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().code, 'WEBSITE_RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60);
    const elsewhere = await stranger('/live.jpg', { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(elsewhere.statusCode, 429, 'a forwarded-for header does not reset the count');

    api.clock.advance(60_000);
    const next = await stranger('/live.jpg');
    assert.equal(next.statusCode, 200);
    assert.notEqual(next.headers.etag, first.headers.etag, 'a new interval: a new still of the new program');
    assert.ok(colourDistance((await lookAtJpeg(next.rawPayload)).mean, [230, 200, 20]) < 25);

    const foreign = await stranger('/live.jpg', { host: 'evil.example' });
    assert.equal(foreign.statusCode, 421, 'the Host check applies');
  });

  it('serves the "be right back" slate while nothing is on air', async () => {
    program = null;
    api.clock.advance(60_000);
    const slate = await stranger('/live.jpg');
    assert.equal(slate.statusCode, 200);
    const look = await lookAtJpeg(slate.rawPayload);
    assert.ok(colourDistance(look.mean, [230, 200, 20]) > 100, `mean ${look.mean.join(',')}`);
    program = solidPicture(640, 360, [30, 60, 210]);
  });

  it('serves the player page framed by the configured sites, and the HLS files read-only', async () => {
    const on = await api.call('PUT', '/api/settings/website.player', {
      value: { enabled: true, embed_sites: ['https://www.venue.example', 'https://*.venue-cdn.example'] },
    });
    assert.equal(on.statusCode, 200, on.body);
    const page = await stranger('/embed/player');
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const policy = String(page.headers['content-security-policy']);
    assert.match(policy, /frame-ancestors https:\/\/www\.venue\.example https:\/\/\*\.venue-cdn\.example$/);
    assert.match(policy, /script-src 'self'/);
    assert.equal(page.headers['x-frame-options'], undefined);
    assert.equal(page.headers['set-cookie'], undefined);
    assert.match(page.body, /<video id="program"/);
    assert.match(page.body, /<script src="\/embed\/player\.js"><\/script>/);
    const script = await stranger('/embed/player.js');
    assert.equal(script.statusCode, 200);
    assert.match(script.body, /canPlayType\('application\/vnd\.apple\.mpegurl'\)/);

    assert.equal((await stranger('/embed/hls/index.m3u8')).statusCode, 404, 'off air: no playlist');
    const previewDir = join(api.dataDir, 'preview');
    mkdirSync(previewDir, { recursive: true });
    writeFileSync(join(previewDir, 'index.m3u8'), '#EXTM3U\n#EXTINF:2.0,\nsegment_000001.ts\n');
    writeFileSync(join(previewDir, 'segment_000001.ts'), Buffer.alloc(188, 0x47));
    writeFileSync(join(previewDir, 'notes.txt'), 'not for strangers');
    const playlist = await stranger('/embed/hls/index.m3u8');
    assert.equal(playlist.statusCode, 200);
    assert.equal(playlist.headers['content-type'], 'application/vnd.apple.mpegurl');
    assert.match(playlist.body, /segment_000001\.ts/);
    assert.equal((await stranger('/embed/hls/segment_000001.ts')).statusCode, 200);
    program = null;
    assert.equal(
      (await stranger('/embed/hls/index.m3u8')).statusCode,
      404,
      'off air: the old files are stale',
    );
    program = solidPicture(640, 360, [30, 60, 210]);
    for (const name of ['notes.txt', '..%2Fsecret.key', 'index.m3u8.tmp'])
      assert.equal((await stranger(`/embed/hls/${name}`)).statusCode, 404, name);
    const put = await api.app.inject({ method: 'PUT', url: '/embed/hls/index.m3u8', payload: 'x' });
    const putElsewhere = await api.app.inject({ method: 'PUT', url: '/embed/nothing', payload: 'x' });
    assert.equal(put.statusCode, putElsewhere.statusCode, 'read-only: a PUT finds no route');
    assert.equal(put.json().code, putElsewhere.json().code);

    const none = await api.call('PUT', '/api/settings/website.player', {
      value: { enabled: true, embed_sites: [] },
    });
    assert.equal(none.statusCode, 200);
    assert.match(
      String((await stranger('/embed/player')).headers['content-security-policy']),
      /frame-ancestors 'none'/,
    );
  });
});
