// How each timeline source is decoded (src/engine/sources/source-spec.ts): the argv is the argv
// builders' (pinned by their own golden tests), chosen per source kind; a camera without audio is
// decoded video-only after its first exit; media outside the media folder is not decoded.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/core/logger.ts';
import type { CameraFeed } from '../../../src/engine/engine-types.ts';
import type { DecoderExit } from '../../../src/engine/sources/decoded-source.ts';
import type { SourceSpec } from '../../../src/engine/sources/source-pool.ts';
import { sourceSpec, type SourceSpecContext } from '../../../src/engine/sources/source-spec.ts';
import {
  cameraDecoderArgs,
  FFMPEG_BIN,
  mediaDecoderArgs,
  stillPictureArgs,
} from '../../../src/ffmpeg/argv.ts';

const TARGET = { width: 320, height: 180, fps: 25 };
const ROOT = resolve('/srv/media');

function context(
  cameras: Record<number, CameraFeed>,
  exits: Array<{ cameraId: number; url: string; exit: DecoderExit }> = [],
): SourceSpecContext {
  return {
    camera: (id) => cameras[id],
    mediaRoot: ROOT,
    assetPath: (id) => (id === 7 ? '/srv/media/uploads/7.mp4' : null),
    reconnectIntervalMs: 1500,
    logger: createLogger('test'),
    onCameraExit: (cameraId, url, exit) => exits.push({ cameraId, url, exit }),
  };
}

function argsOf(spec: SourceSpec | null): readonly string[] {
  assert.ok(spec);
  const spawn = typeof spec.spawn === 'function' ? spec.spawn() : spec.spawn;
  assert.equal(spawn.command, FFMPEG_BIN);
  return spawn.args;
}

const exit = (stderr: string[], code = 1): DecoderExit => ({
  stderrTail: stderr,
  code,
  timedOut: false,
  runMs: 900,
});

describe('sourceSpec', () => {
  it('a camera is decoded from its URL with the camera socket timeout, audio until it has none', () => {
    const url = 'rtsp://user:pw@10.0.0.5/stream1';
    const exits: Array<{ cameraId: number; url: string; exit: DecoderExit }> = [];
    const spec = sourceSpec(
      { kind: 'camera', cameraId: 2 },
      TARGET,
      context({ 2: { kind: 'url', name: 'Dock', url } }, exits),
    );
    assert.equal(spec?.description, 'camera 2 (Dock)');
    assert.equal(spec?.reconnectIntervalMs, 1500);
    assert.deepEqual(argsOf(spec), cameraDecoderArgs({ url, ...TARGET, timeoutSeconds: 5, audio: true }));
    // The camera sends no audio: the next run is video-only, and the engine is not told of a failure.
    spec?.onExit?.(exit(['Output file #0 does not contain any stream']));
    assert.deepEqual(argsOf(spec), cameraDecoderArgs({ url, ...TARGET, timeoutSeconds: 5, audio: false }));
    assert.equal(exits.length, 0);
    // Any other exit goes to the engine (the camera's alert learns why).
    const refused = exit(['method DESCRIBE failed: 401 Unauthorized']);
    spec?.onExit?.(refused);
    assert.deepEqual(exits, [{ cameraId: 2, url, exit: refused }]);
  });

  it('a generated test camera and black; an unknown camera is not decoded', () => {
    const generated = sourceSpec(
      { kind: 'camera', cameraId: 1 },
      TARGET,
      context({ 1: { kind: 'generated', name: 'Test', pattern: 'smptehdbars', label: 'CAM 1' } }),
    );
    assert.equal(generated?.description, 'generated test camera 1');
    assert.ok(argsOf(generated).some((arg) => arg.includes('smptehdbars')));
    assert.equal(sourceSpec({ kind: 'camera', cameraId: 9 }, TARGET, context({})), null);
    assert.equal(sourceSpec({ kind: 'black' }, TARGET, context({})), null);
  });

  it('media: a library asset by id, a path under the media root, never outside it', () => {
    const asset = sourceSpec(
      { kind: 'media', assetId: 7, mediaType: 'video', loop: false },
      TARGET,
      context({}),
    );
    assert.deepEqual(
      argsOf(asset),
      mediaDecoderArgs({
        path: '/srv/media/uploads/7.mp4',
        kind: 'video',
        loop: false,
        ...TARGET,
        realtime: true,
      }),
    );
    const image = sourceSpec(
      { kind: 'media', mediaUrl: '/assets/logo.png', mediaType: 'image', loop: false },
      TARGET,
      context({}),
    );
    // A still image loops whatever the cue says.
    assert.deepEqual(
      argsOf(image),
      mediaDecoderArgs({
        path: resolve(ROOT, 'assets/logo.png'),
        kind: 'image',
        loop: true,
        ...TARGET,
        realtime: true,
      }),
    );
    // A path is normalised inside the root: "../../etc/passwd" is <root>/etc/passwd.
    const climbing = sourceSpec(
      { kind: 'media', mediaUrl: '../../etc/passwd', mediaType: 'video', loop: false },
      TARGET,
      context({}),
    );
    assert.equal(argsOf(climbing)[argsOf(climbing).indexOf('-i') + 1], resolve(ROOT, 'etc/passwd'));
    // An asset not in the library is not decoded.
    assert.equal(
      sourceSpec({ kind: 'media', assetId: 8, mediaType: 'video', loop: true }, TARGET, context({})),
      null,
    );
  });

  it('the slate is one still picture: its image under the media root, else the card', () => {
    const card = sourceSpec({ kind: 'slate' }, TARGET, context({}));
    assert.equal(card?.still, true);
    assert.deepEqual(
      argsOf(card),
      stillPictureArgs({
        width: 320,
        height: 180,
        card: { pattern: 'smptehdbars', text: "We'll be right back" },
      }),
    );
    const image = sourceSpec({ kind: 'slate', testPattern: '/slates/brb.png' }, TARGET, context({}));
    assert.deepEqual(
      argsOf(image),
      stillPictureArgs({ width: 320, height: 180, image: resolve(ROOT, 'slates/brb.png') }),
    );
  });
});
