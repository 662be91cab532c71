// Degraded mode applied to one show: its ladders built from the operator's settings (the ceiling),
// where on them it starts (the capacity check's choice, or a level pinned for a benchmark), and
// what the policy is given. Pure.
import type { VideoEncoder } from '../../ffmpeg/argv.ts';
import { buildBitrateLadder, buildLadder, type QualityLevel } from './ladder.ts';
import type { QualityPolicyOptions } from './policy.ts';

/**
 * Degraded mode for one show: the ladder starts at the operator's settings (the timeline's size and
 * fps, the profile's preset and bitrate); `startLevel` is where the capacity check says this
 * machine fits; `pinnedLevel` holds one level (benchmarks); `enabled: false` never moves.
 * `showWarning` puts a "Reduced quality" notice on air while below the ceiling.
 */
export type ShowDegradeOptions = Partial<Omit<QualityPolicyOptions, 'ladder' | 'bitrateLadderKbps'>> & {
  enabled?: boolean;
  showWarning?: boolean;
  /** The ladder's floor: no size below this many lines (default 360), no rate below minFps. */
  minHeight?: number;
  minFps?: number;
};

/** The operator's settings: the top of both ladders. */
export interface QualityCeiling {
  width: number;
  height: number;
  fps: number;
  preset: string;
  bitrateKbps: number;
  encoder: VideoEncoder;
}

export interface ShowQuality {
  /** What the policy starts from (its ladders, start, pin and thresholds). */
  policy: QualityPolicyOptions & { startLevel: number };
  /** The level on air at the start (the pinned one, else the start level). */
  firstLevel: QualityLevel;
  /** Put a "Reduced quality" notice on air while below the ceiling. */
  showWarning: boolean;
}

export function planShowQuality(ceiling: QualityCeiling, degrade: ShowDegradeOptions = {}): ShowQuality {
  const { minHeight, minFps, showWarning, enabled, ...policyOptions } = degrade;
  const ladder = buildLadder(
    { preset: ceiling.preset, fps: ceiling.fps, width: ceiling.width, height: ceiling.height },
    {
      encoder: ceiling.encoder,
      ...(minHeight !== undefined ? { minHeight } : {}),
      ...(minFps !== undefined ? { minFps } : {}),
    },
  );
  const startLevel = Math.min(policyOptions.startLevel ?? 0, ladder.length - 1);
  return {
    policy: {
      ladder,
      bitrateLadderKbps: buildBitrateLadder(ceiling.bitrateKbps),
      ...policyOptions,
      startLevel,
      // Degraded mode switched off: the show stays where it starts.
      pinnedLevel: enabled === false ? startLevel : (policyOptions.pinnedLevel ?? null),
    },
    firstLevel: ladder[policyOptions.pinnedLevel ?? startLevel]!,
    showWarning: showWarning === true,
  };
}
