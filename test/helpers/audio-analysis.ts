// Reading sound back from what a destination received, as a measuring instrument would: the
// recording's audio decoded to mono floats, one frequency's level (Goertzel), the integrated
// loudness ffmpeg's ebur128 filter reports, and a sine-tone MP3 to use as an audio asset.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Samples a second in what decodeMono returns. */
export const ANALYSIS_RATE = 48_000;

/** The file's first audio stream as mono floats (−1..1) at ANALYSIS_RATE. */
export async function decodeMono(file: string): Promise<Float32Array> {
  const { stdout } = await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:a:0',
      '-ac',
      '1',
      '-ar',
      String(ANALYSIS_RATE),
      '-f',
      's16le',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  const out = new Float32Array(stdout.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = stdout.readInt16LE(i * 2) / 32768;
  return out;
}

/** Goertzel blocks: a quarter second holds whole cycles of the test tones (440 Hz, 1 kHz). */
const BLOCK_SECONDS = 0.25;

/**
 * The level (dBFS, sine peak) of one frequency over [from, to) seconds: the power of each quarter
 * second (Goertzel), averaged. Measured per block, as a level meter would, a tone whose phase
 * jumps (a few samples dropped when the machine is busy) still reads its level; a tone that is
 * missing for part of the span reads lower.
 */
export function toneLevel(samples: Float32Array, hz: number, from: number, to: number): number {
  const start = Math.max(0, Math.round(from * ANALYSIS_RATE));
  const end = Math.min(samples.length, Math.round(to * ANALYSIS_RATE));
  const block = Math.round(BLOCK_SECONDS * ANALYSIS_RATE);
  let powerSum = 0;
  let blocks = 0;
  for (let at = start; at < end; at += block) {
    const amplitude = blockAmplitude(samples, hz, at, Math.min(end, at + block));
    powerSum += amplitude * amplitude;
    blocks++;
  }
  return 20 * Math.log10(Math.sqrt(powerSum / Math.max(1, blocks)) + 1e-12);
}

function blockAmplitude(samples: Float32Array, hz: number, start: number, end: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / ANALYSIS_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / Math.max(1, end - start);
}

/** ffmpeg's ebur128 integrated loudness (LUFS) of [from, to) seconds of the file's audio. */
export async function integratedLoudness(
  file: string,
  fromSeconds: number,
  toSeconds: number,
): Promise<number> {
  const { stderr } = await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostats',
      '-ss',
      String(fromSeconds),
      '-t',
      String(toSeconds - fromSeconds),
      '-i',
      file,
      '-map',
      '0:a:0',
      '-af',
      'ebur128',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  const matches = [...stderr.matchAll(/I:\s+(-?[\d.]+) LUFS/g)];
  if (matches.length === 0) throw new Error(`ebur128 printed no integrated loudness: ${stderr.slice(-500)}`);
  return Number(matches.at(-1)![1]);
}

/** An MP3 of a sine tone at amplitude 0.1 (−20 dBFS peak), for an audio asset. */
export async function makeToneMp3(file: string, hz: number, seconds: number): Promise<void> {
  await execFileAsync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=0.1*sin(2*PI*${hz}*t):s=44100:d=${seconds}`,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-y',
      file,
    ],
    { timeout: 30_000 },
  );
}
