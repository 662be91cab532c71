// Shared set-up for the pipeline benchmarks: timelines, an engine on simulated cameras, cleanup.
import { loadConfig } from '../../src/config.ts';
import { configureLogging, createLogger } from '../../src/core/logger.ts';
import type { CameraFeed } from '../../src/engine/index.ts';
import { profileSettings, programEncoderArgs } from '../../src/ffmpeg/argv.ts';
import { stopAllSupervised } from '../../src/process/supervisor.ts';

// A benchmark is an entry point: its logs follow the configuration (bench/run.ts sets
// VISTTER_LOG_LEVEL), as the appliance's do.
configureLogging(loadConfig());
export const benchLogger = createLogger('bench');

// Timelines of camera cues are shared with the tests.
export { cameraTimeline, type CueSpec } from '../../test/helpers/timelines.ts';

export function urlCameras(urls: readonly string[]): Map<number, CameraFeed> {
  return new Map(urls.map((url, i) => [i + 1, { kind: 'url', name: `sim cam ${i + 1}`, url }]));
}

/** Runs `body`, then every cleanup (last first), whatever happened. */
export async function withCleanup<T>(
  body: (defer: (fn: () => Promise<void>) => void) => Promise<T>,
): Promise<T> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await body((fn) => cleanups.push(fn));
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`cleanup failed: ${(error as Error).message}`);
      }
    }
    await stopAllSupervised();
  }
}

export interface PlainFfmpegOptions {
  /** The camera's (and program's) size and rate: the baseline does not scale. Default 1920×1080@30. */
  width?: number;
  height?: number;
  fps?: number;
  /** x264 preset, the same as the engine's in the comparison. Default veryfast. */
  preset?: string;
  bitrateKbps?: number;
  /** Machine-readable progress (frame=…) on stdout: the caller must read it. */
  progress?: boolean;
}

/**
 * What the engine's encoder does after its inputs: video codec, rate control and x264 options,
 * audio codec, FLV muxer flags; taken from the builder the engine uses (everything from -c:v to
 * the output), so the baseline follows any change to it.
 */
export function engineEncoderOutputArgs(o: Required<Omit<PlainFfmpegOptions, 'progress'>>): string[] {
  const argv = programEncoderArgs({
    width: o.width,
    height: o.height,
    fps: o.fps,
    tickRate: o.fps,
    profile: 'reliability',
    videoEncoder: 'libx264',
    preset: o.preset,
    bitrateKbps: o.bitrateKbps,
  });
  const from = argv.indexOf('-c:v');
  if (from < 0) throw new Error(`no -c:v in the encoder argv: ${argv.join(' ')}`);
  return argv.slice(from, -1);
}

/** The baseline: one plain ffmpeg doing the camera → H.264 (libx264, the engine's settings and
 *  preset) + AAC → RTMP job the appliance does, with no timeline, compositor or fan-out. */
export function plainFfmpegArgs(
  cameraUrl: string,
  rtmpUrl: string,
  options: PlainFfmpegOptions = {},
): string[] {
  const output = engineEncoderOutputArgs({
    width: options.width ?? 1920,
    height: options.height ?? 1080,
    fps: options.fps ?? 30,
    preset: options.preset ?? 'veryfast',
    bitrateKbps: options.bitrateKbps ?? profileSettings('reliability').bitrateKbps,
  });
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...(options.progress === true ? ['-progress', 'pipe:1', '-stats_period', '1'] : []),
    '-rtsp_transport',
    'tcp',
    '-i',
    cameraUrl,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    ...output,
    rtmpUrl,
  ];
}
