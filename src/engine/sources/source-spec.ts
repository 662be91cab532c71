// How each timeline source is decoded: the choice of its ffmpeg arguments (camera, generated test
// camera, media file, slate) at the program's size and frame rate. Pure apart from what the
// camera's exit handler reports back to the engine.
import type { Logger } from '../../core/logger.ts';
import {
  cameraDecoderArgs,
  FFMPEG_BIN,
  mediaDecoderArgs,
  slateDecoderArgs,
  stillPictureArgs,
  type SlatePattern,
} from '../../ffmpeg/argv.ts';
import { summarizeErrors } from '../../ffmpeg/progress.ts';
import type { VideoSource } from '../../timeline/resolver.ts';
import { CAMERA_IO_TIMEOUT_SECONDS } from './camera-cause.ts';
import type { DecoderExit } from './decoded-source.ts';
import { mediaPathOf, resolveMediaPath, type MediaLocation } from './media-path.ts';
import type { SourceSpec } from './source-pool.ts';

/** A camera the show can use: a stream URL (with credentials), or a generated test camera.
 *  `backupCameraId`: the camera put on air when this one fails (kept decoding while this is used). */
export type CameraFeed = (
  | { kind: 'url'; name: string; url: string }
  | { kind: 'generated'; name: string; pattern: SlatePattern; label: string }
) & { backupCameraId?: number };

export interface SourceSpecContext extends MediaLocation {
  /** The camera as configured now (the show's cameras may change on air). */
  camera(cameraId: number): CameraFeed | undefined;
  /** How long to wait between reconnect attempts to a failed camera (default: the pool's). */
  reconnectIntervalMs?: number;
  logger: Logger;
  /** A camera's decoder ended for another reason than missing audio. */
  onCameraExit(cameraId: number, url: string, exit: DecoderExit): void;
}

/** How to decode `source` at this size and rate; null when it cannot be (black, no such camera,
 *  media outside the media folder). */
export function sourceSpec(
  source: VideoSource,
  { width, height, fps }: { width: number; height: number; fps: number },
  context: SourceSpecContext,
): SourceSpec | null {
  switch (source.kind) {
    case 'black':
      return null;
    case 'camera': {
      const feed = context.camera(source.cameraId);
      if (!feed) return null;
      if (feed.kind === 'generated') {
        return {
          description: `generated test camera ${source.cameraId}`,
          spawn: {
            command: FFMPEG_BIN,
            args: slateDecoderArgs({
              width,
              height,
              fps,
              pattern: feed.pattern,
              text: feed.label,
              audio: 'tone',
            }),
          },
        };
      }
      // Many IP cameras send no audio, and ffmpeg refuses an audio output with nothing to map:
      // after such an exit the camera is decoded video-only and the playout feeds silence.
      let audio = true;
      return {
        description: `camera ${source.cameraId} (${feed.name})`,
        ...(context.reconnectIntervalMs !== undefined
          ? { reconnectIntervalMs: context.reconnectIntervalMs }
          : {}),
        spawn: () => ({
          command: FFMPEG_BIN,
          args: cameraDecoderArgs({
            url: feed.url,
            width,
            height,
            fps,
            timeoutSeconds: CAMERA_IO_TIMEOUT_SECONDS,
            audio,
          }),
        }),
        onExit: (exit) => {
          if (audio && summarizeErrors(exit.stderrTail)?.kind === 'no_output_stream') {
            audio = false;
            context.logger.info({ camera: source.cameraId }, 'camera has no audio: decoding video only');
            return;
          }
          context.onCameraExit(source.cameraId, feed.url, exit);
        },
      };
    }
    case 'media': {
      const path = mediaPathOf(
        context,
        source.assetId !== undefined ? { assetId: source.assetId } : { mediaUrl: source.mediaUrl ?? '' },
      );
      if (!path) return null;
      return {
        description: `media ${source.mediaType}`,
        spawn: {
          command: FFMPEG_BIN,
          args: mediaDecoderArgs({
            path,
            kind: source.mediaType,
            loop: source.mediaType === 'image' ? true : source.loop,
            width,
            height,
            fps,
            realtime: true,
          }),
        },
      };
    }
    case 'slate': {
      // A still: one picture, kept; no process runs while the show does.
      const path = source.testPattern ? resolveMediaPath(context.mediaRoot, source.testPattern) : null;
      const args = path
        ? stillPictureArgs({ width, height, image: path })
        : stillPictureArgs({
            width,
            height,
            card: { pattern: 'smptehdbars', text: "We'll be right back" },
          });
      return { description: 'slate', still: true, spawn: { command: FFMPEG_BIN, args } };
    }
  }
}
