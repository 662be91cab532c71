// composite(): the pure compositor. (program state, frames, overlay images) → one program frame,
// written into `target`. No clock, no I/O, no allocation; the kernels do the pixel work.
//
// Order: the video layer (one source, a dissolve or fade-through-black between two sources, or
// black) is written to the target, then the overlays are blended on it bottom first.
// Source frames must be yuv420p of the target's size (the decoders scale). A missing source frame
// (null) shows as black: a dissolve from/to null becomes a fade from/to black, so the output
// never stops for want of a frame; choosing the slate or a backup is the caller's job.
import type { Kernels } from './kernels.ts';
import { fadeThroughBlackStep } from './kernels.ts';
import { BLACK_C, BLACK_Y, frameSize, toWeight256 } from './layout.ts';

export interface FrameBuffer {
  readonly width: number;
  readonly height: number;
  /** yuv420p, width·height·3/2 bytes. */
  readonly data: Uint8Array;
}

export interface YuvaImage {
  readonly width: number;
  readonly height: number;
  /** YUVA layout (layout.ts), with its chroma alpha plane built (buildChromaAlpha). */
  readonly data: Uint8Array;
}

export type ProgramVideo =
  | { readonly kind: 'single'; readonly frame: Uint8Array | null }
  | {
      readonly kind: 'dissolve' | 'fade';
      readonly from: Uint8Array | null;
      readonly to: Uint8Array | null;
      /** 0…1, the share of `to` (clamped). */
      readonly progress: number;
    }
  | { readonly kind: 'black' };

export interface ProgramOverlay {
  readonly image: YuvaImage;
  /** Top-left on the frame in pixels; may be negative or off the frame (clipped). Odd values round down to even. */
  readonly x: number;
  readonly y: number;
  /** 0…1 (clamped), multiplied with the image's own alpha. */
  readonly opacity: number;
}

export interface Program {
  readonly video: ProgramVideo;
  /** Bottom first. */
  readonly overlays: readonly ProgramOverlay[];
}

function even(v: number): number {
  return Math.floor(v / 2) * 2;
}

function checkSource(frame: Uint8Array | null, size: number, what: string): void {
  if (frame !== null && frame.length !== size) {
    throw new RangeError(`composite: ${what} frame has ${frame.length} bytes, the target needs ${size}`);
  }
}

function writeVideo(target: Uint8Array, size: number, video: ProgramVideo, k: Kernels): void {
  switch (video.kind) {
    case 'black':
      k.fill(target, BLACK_Y, BLACK_C, BLACK_C);
      return;
    case 'single':
      checkSource(video.frame, size, 'single');
      if (video.frame === null) k.fill(target, BLACK_Y, BLACK_C, BLACK_C);
      else k.copy(target, video.frame);
      return;
    case 'dissolve': {
      checkSource(video.from, size, 'dissolve from');
      checkSource(video.to, size, 'dissolve to');
      const w = toWeight256(video.progress);
      const { from, to } = video;
      if (from !== null && to !== null) k.crossfade(target, from, to, w);
      else if (from !== null) k.fadeToBlack(target, from, w);
      else if (to !== null) k.fadeToBlack(target, to, 256 - w);
      else k.fill(target, BLACK_Y, BLACK_C, BLACK_C);
      return;
    }
    case 'fade': {
      checkSource(video.from, size, 'fade from');
      checkSource(video.to, size, 'fade to');
      const { from, to } = video;
      if (from !== null && to !== null) {
        k.fadeThroughBlack(target, from, to, video.progress);
      } else {
        // The missing half is black already; the present half fades as usual.
        const step = fadeThroughBlackStep(video.progress);
        const src = step.useTo ? to : from;
        if (src === null) k.fill(target, BLACK_Y, BLACK_C, BLACK_C);
        else k.fadeToBlack(target, src, step.weight);
      }
      return;
    }
  }
}

/** Writes the program frame for `program` into `target` (see the top of this file). */
export function composite(target: FrameBuffer, program: Program, kernels: Kernels): void {
  const size = frameSize(target.width, target.height);
  if (target.data.length !== size) {
    throw new RangeError(
      `composite: target has ${target.data.length} bytes, ${target.width}x${target.height} needs ${size}`,
    );
  }
  writeVideo(target.data, size, program.video, kernels);
  blendOverlays(target, program.overlays, kernels);
}

/** Blends overlays onto a program frame, bottom layer first (the second half of composite()). */
export function blendOverlays(
  target: FrameBuffer,
  overlays: readonly ProgramOverlay[],
  kernels: Kernels,
): void {
  for (const o of overlays) {
    const opacity = toWeight256(o.opacity);
    if (opacity === 0) continue;
    kernels.blendOverlay(
      target.data,
      target.width,
      target.height,
      o.image.data,
      o.image.width,
      o.image.height,
      even(o.x),
      even(o.y),
      opacity,
    );
  }
}
