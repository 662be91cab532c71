// Issue 14 item 11 through the HTTP API and the CLI: pictures uploaded for real (ffmpeg-made PNGs,
// ingested with ffprobe into a real SQLite file), then timelines that name them by path.
// Validate, create and import warn at the cue's JSON path about each path that will not find a
// file; `/assets/<uploaded name>` finds the upload (stored by checksum).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { bindMediaNames, diskMediaLibrary, lookUpMedia } from '../../../src/timeline/media-paths.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate } from '../../helpers/timelines.ts';

const BIN = fileURLToPath(new URL('../../../bin/vistter', import.meta.url));
const BOUNDARY = '----vistter-media-paths-7d1f';

function png(dir: string, name: string, colour: string): Buffer {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=${colour}:size=64x48`, '-frames:v', '1', path],
  ]);
  return readFileSync(path);
}

function uploadBody(filename: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    ),
    data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** A 10 s timeline: a media cue, a logo overlay and a slate picture, each named by path. */
function timelineNaming(paths: { media: string; logo: string; slate: string }) {
  return {
    timeline: {
      name: 'Media paths',
      duration: 10,
      fps: 30,
      resolution: '1280x720',
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [
            {
              id: 'still',
              start_time: 0,
              duration: 10,
              action: 'show_media',
              params: { media_url: paths.media },
            },
          ],
        },
        overlays: [
          {
            track_id: 'o',
            type: 'overlay',
            layer: 1,
            cues: [
              {
                id: 'logo',
                start_time: 0,
                duration: 10,
                action: 'show_overlay',
                params: { type: 'logo', image_url: paths.logo },
              },
            ],
          },
        ],
      },
      fallback: { test_pattern: paths.slate },
    },
  };
}

interface Issue {
  path: string;
  message: string;
  severity?: string;
}

describe('media paths and uploaded assets (API and CLI, real uploads)', () => {
  const work = tempDir('vistter-media-paths-');
  let api: ApiHarness;
  const uploaded: Record<string, { id: number; file_path: string }> = {};
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
    for (const [name, colour] of [
      ['white.png', 'white'],
      ['Harbour Logo.png', 'blue'],
      ['slate.png', 'red'],
    ] as const) {
      const answer = await api.call(
        'POST',
        '/api/assets',
        uploadBody(name, png(work.path, `${colour}.png`, colour)),
        {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
      );
      assert.equal(answer.statusCode, 201, answer.body);
      uploaded[name] = answer.json();
    }
    // A second, different picture uploaded under a name already taken.
    const again = await api.call(
      'POST',
      '/api/assets',
      uploadBody('slate.png', png(work.path, 'green.png', 'green')),
      {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
    );
    assert.equal(again.statusCode, 201, again.body);
  });
  after(async () => {
    await api.close();
    work.cleanup();
  });

  it('uploads are stored by checksum, not by their name', () => {
    const white = uploaded['white.png']!;
    assert.match(white.file_path, /^assets\/[0-9a-f]{64}\.png$/);
    assert.equal(existsSync(join(api.dataDir, white.file_path)), true);
    assert.equal(existsSync(join(api.dataDir, 'assets', 'white.png')), false);
  });

  it('validate: /assets/<uploaded name> is found; a missing name and an ambiguous one are warnings at the cue', async () => {
    const doc = timelineNaming({
      media: '/assets/white.png',
      logo: '/assets/harbour logo.png',
      slate: '/assets/slate.png',
    });
    const answer = await api.call('POST', '/api/timelines/validate', JSON.stringify(doc), {
      'content-type': 'application/json',
    });
    assert.equal(answer.statusCode, 200, answer.body);
    const { valid, issues } = answer.json() as { valid: boolean; issues: Issue[] };
    assert.equal(valid, true);
    // white.png and "Harbour Logo.png" (any letter case) are found: no warning at their cues.
    assert.deepEqual(
      issues.map((issue) => [issue.path, issue.severity]),
      [['timeline.fallback.test_pattern', 'warning']],
    );
    assert.match(
      issues[0]!.message,
      /2 uploaded files are named "slate\.png" \(assets \d+, \d+\): use asset_id/,
    );

    const missing = timelineNaming({
      media: '/assets/intro.mp4',
      logo: '/media/logo.png',
      slate: `/${uploaded['slate.png']!.file_path}`,
    });
    const checked = await api.call('POST', '/api/timelines/validate', JSON.stringify(missing), {
      'content-type': 'application/json',
    });
    const warned = (checked.json() as { issues: Issue[] }).issues;
    assert.deepEqual(
      warned.map((issue) => issue.path),
      [
        'timeline.tracks.video.cues[0].params.media_url',
        'timeline.tracks.overlays[0].cues[0].params.image_url',
      ],
    );
    assert.match(
      warned[0]!.message,
      /\/assets\/intro\.mp4 will not be found: no file there and no uploaded file named "intro\.mp4"/,
    );
    assert.match(warned[1]!.message, /\/media\/logo\.png is not in the data folder/);
  });

  it('create and import save the timeline and carry the same warnings', async () => {
    const doc = timelineNaming({
      media: '/assets/intro.mp4',
      logo: '/assets/white.png',
      slate: '/assets/white.png',
    });
    const created = await api.call('POST', '/api/timelines', doc);
    assert.equal(created.statusCode, 201, created.body);
    const warnings = (created.json() as { warnings: Issue[] }).warnings;
    assert.deepEqual(
      warnings.map((w) => w.path),
      ['timeline.tracks.video.cues[0].params.media_url'],
    );
    const id = (created.json() as { id: number }).id;
    // Saved as written: the path is the author's, bound to the file only when read.
    const stored = api.store.timelines.export(id).timeline.tracks.video.cues[0]!.params;
    assert.equal('media_url' in stored && stored.media_url, '/assets/intro.mp4');

    const imported = await api.call('POST', '/api/timelines/import', JSON.stringify(doc), {
      'content-type': 'text/plain',
    });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.deepEqual(
      (imported.json() as { warnings: Issue[] }).warnings.map((w) => w.path),
      ['timeline.tracks.video.cues[0].params.media_url'],
    );
  });

  it('bound to the library, the names become the stored files on disk', () => {
    const timeline = mustValidate(
      timelineNaming({
        media: '/assets/white.png',
        logo: '/assets/HARBOUR LOGO.png',
        slate: '/assets/slate.png',
      }),
    ).timeline;
    const library = diskMediaLibrary(api.dataDir, api.store.assets.list());
    const bound = bindMediaNames(timeline, library);
    const media = bound.tracks.video.cues[0]!.params;
    const logo = bound.tracks.overlays[0]!.cues[0]!.params;
    assert.equal('media_url' in media && media.media_url, `/${uploaded['white.png']!.file_path}`);
    assert.equal('image_url' in logo && logo.image_url, `/${uploaded['Harbour Logo.png']!.file_path}`);
    // Ambiguous: left as written (pre-flight and the show then report it missing).
    assert.equal(bound.fallback?.test_pattern, '/assets/slate.png');
    const found = lookUpMedia('/assets/white.png', library);
    assert.equal(found.kind === 'asset' && readFileSync(found.path).subarray(1, 4).toString(), 'PNG');
  });

  it('the CLI warns the same way at validate and import, against the data folder', () => {
    const file = join(work.path, 'show.json');
    writeFileSync(
      file,
      JSON.stringify(
        timelineNaming({
          media: '/assets/white.png',
          logo: '/assets/missing-logo.png',
          slate: '/assets/white.png',
        }),
      ),
    );
    const env = {
      ...process.env,
      VISTTER_DATA_DIR: api.dataDir,
      VISTTER_SECRET_KEY: randomBytes(32).toString('base64'),
      VISTTER_LOG_LEVEL: 'silent',
    };
    const validate = spawnSync(BIN, ['timeline', 'validate', file], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(validate.status, 0, validate.stderr);
    assert.match(
      validate.stdout,
      /timeline\.tracks\.overlays\[0\]\.cues\[0\]\.params\.image_url: \/assets\/missing-logo\.png will not be found/,
    );
    assert.doesNotMatch(validate.stdout, /cues\[0\]\.params\.media_url/);

    const imported = spawnSync(BIN, ['timeline', 'import', file, '--json'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(imported.status, 0, imported.stderr);
    const result = JSON.parse(imported.stdout) as { id: number; warnings: Issue[] };
    assert.deepEqual(
      result.warnings.map((w) => w.path),
      ['timeline.tracks.overlays[0].cues[0].params.image_url'],
    );
    assert.equal(api.store.timelines.export(result.id).timeline.name, 'Media paths');

    const elsewhere = spawnSync(
      BIN,
      ['timeline', 'validate', file, '--data-dir', join(work.path, 'no-data')],
      {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.match(
      elsewhere.stdout,
      /Media paths were not checked: there is no appliance data folder at .*no-data/,
    );
    assert.equal(existsSync(join(work.path, 'no-data')), false);
  });
});
