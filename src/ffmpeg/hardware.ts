// Hardware H.264 encoder detection by a REAL one-frame test encode (DESIGN.md §2: a listed
// encoder proves nothing; the Raspberry Pi 5 has none). Candidates are tried in order with the
// same options the program encoder will use; the first that encodes wins, else libx264.

import { FFMPEG_BIN, videoEncoderArgs } from './argv.ts';
import type { VideoEncoder } from './argv.ts';
import { StderrLineSplitter, parseLogLine, summarizeErrors } from './progress.ts';
import { runProcess } from './run.ts';
import type { RunResult, Runner } from './run.ts';

export type { RunResult, Runner } from './run.ts';

export interface EncoderTrial {
  encoder: VideoEncoder;
  ok: boolean;
  /** Why it failed (the telling stderr line), or "test encode succeeded". */
  reason: string;
  durationMs: number;
}

export interface EncoderDetection {
  encoder: VideoEncoder;
  tried: EncoderTrial[];
}

/** The hardware encoders a platform could have, in order of preference. */
export function candidateEncoders(platform: NodeJS.Platform): VideoEncoder[] {
  switch (platform) {
    case 'linux':
      return ['h264_v4l2m2m', 'h264_vaapi', 'h264_qsv', 'h264_nvenc'];
    case 'darwin':
      return ['h264_videotoolbox'];
    case 'win32':
      return ['h264_qsv', 'h264_nvenc'];
    default:
      return [];
  }
}

/** argv (without argv[0]) of a one-frame test encode to the null muxer. Pure. */
export function testEncodeArgs(encoder: VideoEncoder, opts: { vaapiDevice?: string } = {}): string[] {
  const fps = 30;
  const v = videoEncoderArgs({
    fps,
    profile: 'reliability',
    videoEncoder: encoder,
    preset: 'veryfast',
    ...(opts.vaapiDevice !== undefined ? { vaapiDevice: opts.vaapiDevice } : {}),
  });
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+warning',
    ...v.global,
    '-f',
    'lavfi',
    '-i',
    `color=c=gray:size=640x360:rate=${fps}`,
    '-frames:v',
    '1',
    '-an',
    ...(v.filter !== null ? ['-vf', v.filter] : []),
    ...v.codec,
    '-f',
    'null',
    '-',
  ];
}

/** Names of the encoders this ffmpeg was built with (`ffmpeg -encoders`). */
export function parseEncoderList(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*[VAS][F.][S.][X.][B.][D.]\s+(\S+)/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** A one-line reason from a failed test encode's stderr. */
export function failureReason(r: RunResult, timeoutMs: number): string {
  if (r.spawnError !== undefined) return `could not run ffmpeg: ${r.spawnError}`;
  if (r.timedOut) return `test encode did not finish within ${timeoutMs} ms`;
  const lines = new StderrLineSplitter().push(r.stderr + '\n');
  const telling = summarizeErrors(lines);
  const pick =
    telling?.line ??
    [...lines].reverse().find((l) => {
      const { level } = parseLogLine(l);
      return level === 'error' || level === 'fatal' || level === 'panic';
    }) ??
    lines.at(-1);
  const status = r.signal !== null ? `signal ${r.signal}` : `exit code ${r.code}`;
  return pick !== undefined ? `${parseLogLine(pick).message} (${status})` : status;
}

export interface DetectOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** Override the candidate list (libx264 is always tried last as the fallback). */
  candidates?: readonly VideoEncoder[];
  ffmpegBin?: string;
  /** Per test encode; default 10 s (hardware init can be slow, a wedged driver must not hang us). */
  timeoutMs?: number;
  vaapiDevice?: string;
  /** Injected for tests; default runProcess. */
  run?: Runner;
}

export async function detectH264Encoder(opts: DetectOptions = {}): Promise<EncoderDetection> {
  const bin = opts.ffmpegBin ?? FFMPEG_BIN;
  const run = opts.run ?? runProcess;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const candidates = (opts.candidates ?? candidateEncoders(opts.platform ?? process.platform)).filter(
    (e) => e !== 'libx264',
  );
  const list = await run(bin, ['-hide_banner', '-encoders'], timeoutMs);
  const built = list.code === 0 ? parseEncoderList(list.stdout) : null;

  const tried: EncoderTrial[] = [];
  for (const encoder of [...candidates, 'libx264' as const]) {
    if (built !== null && !built.has(encoder)) {
      tried.push({ encoder, ok: false, reason: 'not built into this ffmpeg', durationMs: 0 });
      continue;
    }
    const args = testEncodeArgs(
      encoder,
      opts.vaapiDevice !== undefined ? { vaapiDevice: opts.vaapiDevice } : {},
    );
    const started = performance.now();
    const r = await run(bin, args, timeoutMs);
    const durationMs = Math.round(performance.now() - started);
    const ok = r.code === 0 && !r.timedOut && r.spawnError === undefined;
    tried.push({
      encoder,
      ok,
      reason: ok ? 'test encode succeeded' : failureReason(r, timeoutMs),
      durationMs,
    });
    if (ok) return { encoder, tried };
  }
  return { encoder: 'libx264', tried };
}
