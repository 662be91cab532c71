// How media paths find their file (src/timeline/media-paths.ts), on a real folder: the rule the
// README's "Media paths" section states, case by case.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  bindMediaNames,
  diskMediaLibrary,
  findMissingMedia,
  localMediaPath,
  lookUpMedia,
  mediaReferences,
  type LibraryAsset,
  type MediaLibrary,
} from '../../../src/timeline/media-paths.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate, specExampleJson } from '../../helpers/timelines.ts';

const SHA_LOGO = 'a'.repeat(64);
const SHA_SLIDE = 'b'.repeat(64);
const SHA_SLIDE_2 = 'c'.repeat(64);

describe('media paths', () => {
  const dir = tempDir('vistter-media-');
  const root = dir.path;
  const assets: LibraryAsset[] = [
    { id: 1, filename: 'logo.png', file_path: `assets/${SHA_LOGO}.png` },
    { id: 2, filename: 'Transition Slide.png', file_path: `assets/${SHA_SLIDE}.png` },
    { id: 3, filename: 'slate.png', file_path: `assets/${SHA_SLIDE}.png` },
    { id: 4, filename: 'slate.png', file_path: `assets/${SHA_SLIDE_2}.png` },
    { id: 5, filename: 'gone.png', file_path: `assets/${'d'.repeat(64)}.png` },
  ];
  let library: MediaLibrary;
  before(() => {
    mkdirSync(join(root, 'assets'));
    mkdirSync(join(root, 'media'));
    for (const sha of [SHA_LOGO, SHA_SLIDE, SHA_SLIDE_2])
      writeFileSync(join(root, 'assets', `${sha}.png`), 'png');
    writeFileSync(join(root, 'media', 'intro.mp4'), 'mp4');
    // A file whose name is also an asset's: the file wins (rule 2 before rule 3).
    writeFileSync(join(root, 'assets', 'logo-by-hand.png'), 'png');
    library = diskMediaLibrary(root, [
      ...assets,
      { id: 6, filename: 'logo-by-hand.png', file_path: `assets/${SHA_SLIDE}.png` },
    ]);
  });
  after(() => dir.cleanup());

  it('a web address is left to the show', () => {
    assert.deepEqual(lookUpMedia('https://example.com/a.png', library), {
      kind: 'web',
      url: 'https://example.com/a.png',
    });
  });

  it('a path is a file in the data folder, as written', () => {
    assert.deepEqual(lookUpMedia('/media/intro.mp4', library), {
      kind: 'file',
      path: join(root, 'media', 'intro.mp4'),
    });
    assert.deepEqual(lookUpMedia(`/assets/${SHA_LOGO}.png`, library), {
      kind: 'file',
      path: join(root, 'assets', `${SHA_LOGO}.png`),
    });
    assert.deepEqual(lookUpMedia('/assets/logo-by-hand.png', library), {
      kind: 'file',
      path: join(root, 'assets', 'logo-by-hand.png'),
    });
    assert.deepEqual(lookUpMedia('/media/./x/../intro.mp4', library), {
      kind: 'file',
      path: join(root, 'media', 'intro.mp4'),
    });
  });

  it('/assets/<name> finds the one upload of that name, then in any letter case', () => {
    const byName = lookUpMedia('/assets/logo.png', library);
    assert.equal(byName.kind, 'asset');
    assert.equal(byName.kind === 'asset' && byName.asset.id, 1);
    assert.equal(byName.kind === 'asset' && byName.url, `/assets/${SHA_LOGO}.png`);
    assert.equal(byName.kind === 'asset' && byName.path, join(root, 'assets', `${SHA_LOGO}.png`));
    const anyCase = lookUpMedia('/assets/transition slide.PNG', library);
    assert.equal(anyCase.kind === 'asset' && anyCase.asset.id, 2);
    // Taken as written: %20 is not a space.
    assert.equal(lookUpMedia('/assets/Transition%20Slide.png', library).kind, 'missing');
  });

  it('two uploads of one name: none is chosen', () => {
    const found = lookUpMedia('/assets/slate.png', library);
    assert.equal(found.kind, 'ambiguous');
    assert.deepEqual(found.kind === 'ambiguous' && found.assets.map((asset) => asset.id), [3, 4]);
  });

  it('missing, outside the folder, deeper than /assets/<name>, or an asset whose file is gone', () => {
    assert.equal(lookUpMedia('/media/outro.mp4', library).kind, 'missing');
    assert.equal(lookUpMedia('/assets/sub/logo.png', library).kind, 'missing');
    assert.equal(lookUpMedia('/assets/', library).kind, 'missing');
    assert.equal(lookUpMedia('/assets/unknown.png', library).kind, 'missing');
    // `..` stops at the data folder, as the engine reads it: it cannot climb out.
    assert.equal(localMediaPath(root, '/../etc/passwd'), join(root, 'etc', 'passwd'));
    assert.deepEqual(lookUpMedia('/../etc/passwd', library), {
      kind: 'missing',
      path: join(root, 'etc', 'passwd'),
    });
    assert.equal(lookUpMedia('/assets/logo.png/x', library).kind, 'missing');
    // An upload whose file was removed by hand: found by name, but its file is not there.
    const gone = lookUpMedia('/assets/gone.png', library);
    assert.equal(gone.kind, 'asset_file_missing');
    assert.equal(gone.kind === 'asset_file_missing' && gone.asset.id, 5);
  });

  it('warns at the JSON path of each media path that will not find a file', () => {
    const doc = specExampleJson();
    const timeline = mustValidate(doc).timeline;
    assert.deepEqual(
      mediaReferences(timeline).map((ref) => ref.path),
      [
        'timeline.tracks.video.cues[1].params.media_url',
        'timeline.tracks.overlays[0].cues[1].params.image_url',
        'timeline.fallback.test_pattern',
      ],
    );
    const warnings = findMissingMedia(timeline, library);
    // logo.png is uploaded; the slide and the slate picture are not.
    assert.deepEqual(
      warnings.map((warning) => warning.path),
      ['timeline.tracks.video.cues[1].params.media_url', 'timeline.fallback.test_pattern'],
    );
    assert.match(
      warnings[0]!.message,
      /\/assets\/transition_slide\.png will not be found: .*"transition_slide\.png"/,
    );

    const ambiguous = mustValidate({
      timeline: { ...doc.timeline, fallback: { test_pattern: '/assets/slate.png' } },
    }).timeline;
    const [slate] = findMissingMedia(ambiguous, library).filter(
      (w) => w.path === 'timeline.fallback.test_pattern',
    );
    assert.match(slate!.message, /2 uploaded files are named "slate\.png" \(assets 3, 4\): use asset_id/);
  });

  it('bindMediaNames puts the stored path in place of the name, and leaves the rest as written', () => {
    const timeline = mustValidate(specExampleJson()).timeline;
    const bound = bindMediaNames(timeline, library);
    const logo = bound.tracks.overlays[0]!.cues[1]!.params;
    assert.equal('image_url' in logo && logo.image_url, `/assets/${SHA_LOGO}.png`);
    const slide = bound.tracks.video.cues[1]!.params;
    assert.equal('media_url' in slide && slide.media_url, '/assets/transition_slide.png');
    assert.equal(bound.fallback?.test_pattern, '/assets/technical_difficulties.png');
    assert.equal(bound.fallback?.backup_camera_id, 3);
    // The input is not changed.
    const original = timeline.tracks.overlays[0]!.cues[1]!.params;
    assert.equal('image_url' in original && original.image_url, '/assets/logo.png');
  });
});
