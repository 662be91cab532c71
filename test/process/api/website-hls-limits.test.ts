// The player's HLS (/embed/hls/) under its limits, with the real appliance (src/main.ts) playing
// its demo show through real ffmpeg: a player's pattern (the playlist every second, each new
// segment once) for 30 s is never refused; a loop over a segment is, with 429 and Retry-After; and
// with max_viewers 2, a third viewer gets 503 saying the player is full. Viewers are told apart
// by X-Forwarded-For from a trusted proxy (127.0.0.1), as behind the README's reverse proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HLS_SEGMENTS_PER_MINUTE } from '../../../src/website/hls-limits.ts';
import { ApplianceClient, applianceEnv, startAppliance, type Appliance } from '../../helpers/appliance.ts';
import { delay, waitFor } from '../../helpers/proc.ts';
import { tempDir } from '../../helpers/temp.ts';

const PLAYER_SECONDS = 30;

describe('the player’s HLS: per-client limit and viewers at a time (real appliance, demo show)', () => {
  const data = tempDir('vistter-hls-');
  let appliance: Appliance;
  let admin: ApplianceClient;

  const hls = (file: string, viewer: string) =>
    fetch(`${appliance.url}/embed/hls/${file}`, { headers: { 'x-forwarded-for': viewer } });
  const segmentsOf = (playlist: string) =>
    playlist.split('\n').filter((line) => /^segment_\d+\.ts$/.test(line));
  const player = (maxViewers: number) =>
    admin.request('PUT', '/api/settings/website.player', {
      value: { enabled: true, embed_sites: [], max_viewers: maxViewers },
    });

  before(async () => {
    appliance = await startAppliance(applianceEnv(data.path, { VISTTER_TRUSTED_PROXIES: '127.0.0.1' }));
    admin = new ApplianceClient(appliance.url);
    await admin.setup();
    const saved = await player(10);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    // The demo show is on air on a fresh appliance; its preview cuts 2 s segments.
    await waitFor(
      async () => {
        const answer = await hls('index.m3u8', '192.0.2.200');
        return answer.ok && segmentsOf(await answer.text()).length >= 2 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'the demo show’s HLS playlist' },
    );
  });
  after(async () => {
    await appliance?.stop();
    data.cleanup();
  });

  it(`a player’s pattern for ${PLAYER_SECONDS} s is never refused`, async () => {
    const viewer = '198.51.100.1';
    const fetched = new Set<string>();
    const refused: string[] = [];
    let playlists = 0;
    const until = Date.now() + PLAYER_SECONDS * 1000;
    while (Date.now() < until) {
      const playlist = await hls('index.m3u8', viewer);
      playlists++;
      if (!playlist.ok) refused.push(`index.m3u8 ${playlist.status}`);
      const text = playlist.ok ? await playlist.text() : (await playlist.arrayBuffer(), '');
      for (const segment of segmentsOf(text)) {
        if (fetched.has(segment)) continue;
        fetched.add(segment);
        const answer = await hls(segment, viewer);
        await answer.arrayBuffer();
        // A segment can leave the playlist before it is fetched (404); only a limit is a refusal.
        if (answer.status === 429 || answer.status === 503) refused.push(`${segment} ${answer.status}`);
      }
      // Half the target duration: what a player does while the playlist has not changed.
      await delay(1000);
    }
    assert.deepEqual(refused, [], `never refused (${playlists} playlists, ${fetched.size} segments)`);
    assert.ok(playlists >= PLAYER_SECONDS / 2, `${playlists} playlists`);
    assert.ok(fetched.size >= PLAYER_SECONDS / 2 / 2, `${fetched.size} segments: the show went on`);
  });

  it('a loop over a segment is refused with 429 and Retry-After, and other viewers are not', async () => {
    const looper = '198.51.100.2';
    const playlist = await hls('index.m3u8', looper);
    const segment = segmentsOf(await playlist.text()).at(-1);
    assert.ok(segment, 'a segment to loop over');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < HLS_SEGMENTS_PER_MINUTE + 20; i++) {
      const answer = await hls(segment, looper);
      await answer.arrayBuffer();
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter ??= answer.headers.get('retry-after');
    }
    const firstRefused = statuses.indexOf(429);
    assert.ok(firstRefused > 0 && firstRefused <= HLS_SEGMENTS_PER_MINUTE, `first 429 at ${firstRefused}`);
    assert.ok(
      statuses.slice(firstRefused).every((status) => status === 429),
      `refused from then on: ${statuses.slice(firstRefused).join(',')}`,
    );
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
    const other = await hls('index.m3u8', '198.51.100.3');
    assert.equal(other.status, 200, 'another viewer still plays');
  });

  it('with max_viewers 2, a third viewer is told the player is full (503); a viewer already in keeps playing', async () => {
    assert.equal((await player(2)).status, 200);
    // The viewers of the tests before have left: a place is held for 15 s after the last request.
    await delay(16_000);
    assert.equal((await hls('index.m3u8', '203.0.113.1')).status, 200, 'first viewer');
    assert.equal((await hls('index.m3u8', '203.0.113.2')).status, 200, 'second viewer');
    const third = await hls('index.m3u8', '203.0.113.3');
    assert.equal(third.status, 503);
    const body = (await third.json()) as { code: string; message: string; remediation: string };
    assert.equal(body.code, 'WEBSITE_PLAYER_FULL');
    assert.match(body.message, /player is full/);
    assert.match(body.remediation, /Try again/);
    assert.ok(Number(third.headers.get('retry-after')) >= 1, 'Retry-After');
    assert.equal((await hls('index.m3u8', '203.0.113.1')).status, 200, 'the first viewer keeps its place');
    const back = await player(10);
    assert.equal(back.status, 200);
    assert.equal((await hls('index.m3u8', '203.0.113.3')).status, 200, 'room again once allowed');
  });
});
