// The venue website's public routes (issue 17; on PUBLIC_ROUTES, each off until turned on in
// Settings, and answering like an unknown address while off, so they reveal nothing):
// - GET /live.jpg: the program as a JPEG of the set size, made at most once per interval and
//   served from the cache to everyone (ETag, Last-Modified, max-age = the interval); the "be
//   right back" slate while nothing is on air; a per-client limit (429 with Retry-After).
// - GET /embed/player (+ /embed/player.js): a small page with a <video> playing the program's
//   HLS where the browser plays HLS itself, and a plain message (and the live still) elsewhere;
//   framed only by the sites configured (frame-ancestors); no cookies, no other data.
// - GET /embed/hls/:file: the HLS preview's playlist and segments, read-only, while the player
//   is on; limited per client (429) and to max_viewers client addresses at a time (503), since
//   each viewer costs the venue's uplink the program's bitrate (src/website/hls-limits.ts).
// The Host guard applies as to every route: a website reaches these through the appliance's
// configured public name (a forwarded port), or gets the picture by the push instead.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { systemClock } from '../../core/clock.ts';
import { createLogger } from '../../core/logger.ts';
import { AppError } from '../../errors/registry.ts';
import {
  HLS_PLAYLISTS_PER_MINUTE,
  HLS_SEGMENTS_PER_MINUTE,
  VIEWER_IDLE_MS,
} from '../../website/hls-limits.ts';
import { createWebsiteOutputs, type WebsiteOutputs } from '../../website/outputs.ts';
import { clientKey } from '../auth/login-limiter.ts';
import type { ApiDeps, ApiShowControl } from '../deps.ts';
import { notFoundHandler, type ApiInstance } from '../http.ts';

export const LIVE_JPEG_PATH = '/live.jpg';
export const PLAYER_PATH = '/embed/player';
export const PLAYER_SCRIPT_PATH = '/embed/player.js';
export const PLAYER_HLS_PATH = '/embed/hls/:file';
const PLAYLIST = 'index.m3u8';
/** The HLS preview's own file names (src/ffmpeg/argv.ts hlsPreviewArgs): nothing else is served. */
const HLS_FILE = /^(index\.m3u8|segment_\d{1,9}\.ts)$/;

// Loose on purpose: a refused name answers 404 like any unknown address, not a validation error.
const HlsParams = z.strictObject({ file: z.string().max(64) });

const PLAYER_STYLE = `html,body{margin:0;height:100%;background:#000;color:#f2f4f7;font:16px/1.4 system-ui,sans-serif}
main{position:relative;height:100%;display:flex;align-items:center;justify-content:center}
video,img{width:100%;height:100%;object-fit:contain;background:#000}
#note{position:absolute;left:0;right:0;top:0;margin:0;padding:.6em 1em;background:rgba(0,0,0,.72);text-align:center}
#note[hidden]{display:none}`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(PLAYER_STYLE).digest('base64')}'`;

/** The player's script: native HLS only (no MSE, no hls.js), a message where there is none. */
const PLAYER_SCRIPT = `'use strict';
(function () {
  var PLAYLIST = '/embed/hls/${PLAYLIST}';
  var RETRY_MS = 15000;
  var video = document.getElementById('program');
  var note = document.getElementById('note');
  var still = document.getElementById('still');
  function say(text) { note.textContent = text; note.hidden = false; }
  function showStill() { if (still) { still.hidden = false; video.hidden = true; } }
  var nativeHls = video.canPlayType('application/vnd.apple.mpegurl') !== '';
  function start() {
    fetch(PLAYLIST, { cache: 'no-store', credentials: 'omit' }).then(function (answer) {
      if (!answer.ok) {
        say(answer.status === 503
          ? 'The live stream has as many viewers as the venue allows right now; trying again shortly.'
          : answer.status === 429
            ? 'Too many requests from this address; trying again shortly.'
            : 'The live stream is off the air right now. It starts again by itself when the show is back.');
        setTimeout(start, RETRY_MS);
        return;
      }
      if (!nativeHls) {
        showStill();
        say('This browser cannot play the live stream by itself (it needs built-in HLS, as in Safari and on most phones).' + (still ? ' The picture above is the latest still.' : ''));
        return;
      }
      note.hidden = true;
      video.src = PLAYLIST;
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () { say('Press play to watch the live stream.'); });
    }, function () {
      say('The live stream cannot be reached right now; trying again shortly.');
      setTimeout(start, RETRY_MS);
    });
  }
  video.addEventListener('playing', function () { note.hidden = true; });
  video.addEventListener('error', function () {
    say('The live stream stopped; trying again shortly.');
    video.removeAttribute('src');
    setTimeout(start, RETRY_MS);
  });
  start();
})();
`;

function playerPage(withStill: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Live camera</title>
<style>${PLAYER_STYLE}</style>
</head>
<body>
<main>
<video id="program" controls muted autoplay playsinline preload="none" aria-label="Live camera"${withStill ? ` poster="${LIVE_JPEG_PATH}"` : ''}></video>
${withStill ? `<img id="still" src="${LIVE_JPEG_PATH}" alt="The latest still of the live camera" hidden>` : ''}
<p id="note" role="status">Loading the live stream…</p>
</main>
<script src="${PLAYER_SCRIPT_PATH}"></script>
</body>
</html>
`;
}

/** The player page's policy: its own script, style and media only; framed by the configured sites. */
export function playerPolicy(embedSites: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${STYLE_HASH}`,
    "img-src 'self'",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${embedSites.length > 0 ? embedSites.join(' ') : "'none'"}`,
  ].join('; ');
}

/** Answers exactly like an address the appliance does not have. */
function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  notFoundHandler(request, reply);
  return reply;
}

export function registerWebsiteRoutes(
  app: ApiInstance,
  deps: ApiDeps,
  shows: Pick<ApiShowControl, 'programPicture' | 'programFeed'>,
  outputs?: WebsiteOutputs,
): WebsiteOutputs {
  const website =
    outputs ??
    createWebsiteOutputs({
      settings: deps.store.settings,
      picture: () => shows.programPicture(),
      // Only main.ts starts a push (with the outputs it hands in, whose push raises alerts).
      alerts: { raise: () => undefined, clear: () => undefined },
      clock: deps.clock ?? systemClock,
      logger: createLogger('website'),
    });
  const previewDir = resolve(join(deps.dataDir, 'preview'));

  app.get(
    LIVE_JPEG_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['website'],
        summary:
          'Public when turned on in Settings: the program as a JPEG, refreshed at the set interval (404 while off; 429 past the per-client limit)',
      },
    },
    async (request, reply) => {
      const settings = website.livePicture();
      if (!settings.enabled) return notFound(request, reply);
      const decision = website.limiter.take(request.ip, settings.requests_per_minute);
      if (!decision.allowed) {
        void reply.header('retry-after', String(decision.retryAfterS));
        throw new AppError(
          'WEBSITE_RATE_LIMITED',
          `at most ${settings.requests_per_minute} requests a minute; try again in ${decision.retryAfterS} s`,
        );
      }
      const still = await website.still.current();
      void reply
        .header('etag', still.etag)
        .header('last-modified', new Date(still.madeAtWallMs).toUTCString())
        .header('cache-control', `public, max-age=${still.intervalS}`)
        // A website's <img> on another origin may show it.
        .header('cross-origin-resource-policy', 'cross-origin');
      if (request.headers['if-none-match'] === still.etag) return reply.code(304).send();
      return reply.type('image/jpeg').header('content-length', still.jpeg.length).send(still.jpeg);
    },
  );

  app.get(
    PLAYER_PATH,
    {
      config: { public: true },
      schema: { tags: ['website'], summary: 'Public when turned on in Settings: the embeddable player page' },
    },
    async (request, reply) => {
      const player = website.player();
      if (!player.enabled) return notFound(request, reply);
      reply.removeHeader('x-frame-options');
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', playerPolicy(player.embed_sites))
        .header('cache-control', 'no-cache')
        .header('referrer-policy', 'no-referrer')
        .send(playerPage(website.livePicture().enabled));
    },
  );

  app.get(
    PLAYER_SCRIPT_PATH,
    {
      config: { public: true },
      schema: { tags: ['website'], summary: 'Public when the player is on: the player page’s script' },
    },
    async (request, reply) => {
      if (!website.player().enabled) return notFound(request, reply);
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(PLAYER_SCRIPT);
    },
  );

  app.get(
    PLAYER_HLS_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['website'],
        summary:
          'Public when the player is on: the program’s HLS (playlist and segments), read-only (429 past the per-client limit; 503 when the player has as many viewers as allowed)',
        params: HlsParams,
      },
    },
    async (request, reply) => {
      const { file } = request.params;
      const player = website.player();
      if (!player.enabled || !HLS_FILE.test(file)) return notFound(request, reply);
      // The files stay on disk after a show stops (until the next starts): stale, so off air is 404.
      if (shows.programFeed() === null) return notFound(request, reply);
      const path = join(previewDir, file);
      if (!existsSync(path)) return notFound(request, reply);
      const playlist = file === PLAYLIST;
      const client = clientKey(request.ip);
      if (!website.hls.viewers.admit(client, player.max_viewers)) {
        void reply.header('retry-after', String(VIEWER_IDLE_MS / 1000));
        throw new AppError(
          'WEBSITE_PLAYER_FULL',
          `the venue’s player is full: it has ${player.max_viewers} viewer(s), as many as the venue allows at a time`,
        );
      }
      const perMinute = playlist ? HLS_PLAYLISTS_PER_MINUTE : HLS_SEGMENTS_PER_MINUTE;
      const decision = website.hls.limiter.take(`${playlist ? 'playlist' : 'segment'} ${client}`, perMinute);
      if (!decision.allowed) {
        void reply.header('retry-after', String(decision.retryAfterS));
        throw new AppError(
          'WEBSITE_RATE_LIMITED',
          `at most ${perMinute} ${playlist ? 'playlist' : 'segment'} requests a minute from one address; try again in ${decision.retryAfterS} s`,
        );
      }
      // Segment names start again at 0 with every show: a cached one would be the last show's.
      return reply
        .type(playlist ? 'application/vnd.apple.mpegurl' : 'video/mp2t')
        .header('cache-control', 'no-cache')
        .header('content-length', statSync(path).size)
        .send(createReadStream(path));
    },
  );

  return website;
}
