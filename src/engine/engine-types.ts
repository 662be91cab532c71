// What the engine is given (the show plan), what it reports (its status) and where it reports to
// (alerts): types only, shared by the engine's parts and the app layer without importing the
// engine itself.
import type { EncodingProfile, SlatePattern, VideoEncoder } from '../ffmpeg/argv.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import type { Platform } from '../ffmpeg/platforms.ts';
import type { RecordingLimits } from '../recordings/limits.ts';
import type { ProgramState } from '../timeline/resolver.ts';
import type { Timeline } from '../timeline/schema.ts';
import type { FailoverOptions } from './failover.ts';
import type { SessionLimit } from './outputs.ts';
import type { QualityPolicyOptions } from './quality/policy.ts';
import type { EncoderStats } from './encoder.ts';
import type { OnAirChoice } from './failover.ts';
import type { OutputStatus } from './outputs.ts';
import type { OverrideSnapshot } from './overrides.ts';
import type { PlayoutStats } from './playout.ts';
import type { QualityControlStatus } from './quality-control.ts';
import type { SourceHealth } from './sources/decoded-source.ts';

export type { EngineAlerts } from './engine-alerts.ts';

/** A camera the show can use: a stream URL (with credentials), or a generated test camera.
 *  `backupCameraId`: the camera put on air when this one fails (kept decoding while this is used). */
export type CameraFeed = (
  | { kind: 'url'; name: string; url: string }
  | { kind: 'generated'; name: string; pattern: SlatePattern; label: string }
) & { backupCameraId?: number };

export interface DestinationTarget {
  id: string;
  /** Safe to log (no key). */
  name: string;
  platform: Platform;
  /** Full URL including the stream key. Never logged. */
  url: string;
  /** Restart the session before the platform ends it (none when absent). */
  session?: SessionLimit;
  /** Where its session clock starts, ms (tests: near the RTMP timestamp wrap). Default 0. */
  sessionClockOriginMs?: number;
}

export interface ShowPlan {
  timeline: Timeline;
  cameras: ReadonlyMap<number, CameraFeed>;
  destinations: readonly DestinationTarget[];
  /** Folder for the HLS preview (index.m3u8); none when absent. */
  previewDir?: string;
  /** Local recording (.flv or .mp4); none when absent. */
  recordPath?: string;
  /** Its quota, file length and the free space kept (default: from the environment). */
  recordingLimits?: RecordingLimits;
  /** Root for media paths in the timeline: "/assets/x.png" is <mediaRoot>/assets/x.png. */
  mediaRoot: string;
  /** File of a library asset, by id. */
  assetPath?: (assetId: number) => string | null;
  encoder?: { profile?: EncodingProfile; videoEncoder?: VideoEncoder; bitrateKbps?: number; preset?: string };
  /** Start mid-show (crash resume). */
  startFrame?: number;
  /** The timeline follows the wall clock while the first picture is awaited (a resumed show):
   *  the pre-roll's seconds are skipped, not played late. */
  prerollCatchUp?: boolean;
  /** Camera failure handling: detection threshold, return delay, reconnect interval. */
  failover?: FailoverOptions & { reconnectIntervalMs?: number };
  /**
   * Degraded mode: the ladder starts at the operator's settings (the timeline's size and fps, the
   * profile's preset and bitrate); `startLevel` is where the capacity check says this machine
   * fits; `pinnedLevel` holds one level (benchmarks); `enabled: false` never moves.
   * `showWarning` puts a "Reduced quality" notice on air while below the ceiling.
   */
  degrade?: Partial<Omit<QualityPolicyOptions, 'ladder' | 'bitrateLadderKbps'>> & {
    enabled?: boolean;
    showWarning?: boolean;
    /** The ladder's floor: no size below this many lines (default 360), no rate below minFps. */
    minHeight?: number;
    minFps?: number;
  };
  /** The program clock's epoch in ms (default 0; tests start near a timestamp wrap). */
  programOriginMs?: number;
}

export interface EngineStatus {
  running: boolean;
  timeline: string;
  frame: number;
  position: ProgramState | null;
  /** What is on air and what it stands in for (a failed camera's backup, or the slate). */
  onAir: OnAirChoice | null;
  /** Cameras currently failed, since when (clock ms). */
  failedCameras: { cameraId: number; since: number }[];
  playout: PlayoutStats;
  encoder: EncoderStats;
  /** Which H.264 encoder runs and why (every candidate's test-encode result). */
  encoderChoice: EncoderDetection;
  /** Degraded mode: the level on air, its symptoms and moves. */
  quality: QualityControlStatus;
  /** The timeline clock is held (the output goes on). */
  paused: boolean;
  overrides: OverrideSnapshot;
  audioBitrateKbps: number;
  sources: SourceHealth[];
  outputs: OutputStatus[];
  /** Program ms of the newest tag sent to the outputs (the output's clock). */
  programMs: number | null;
  /** Encoder runs spliced into the program: where (program ms) and the step each left. */
  splices: {
    firstOutMs: number | null;
    switches: { atMs: number; stepMs: number | null; planned: boolean }[];
  };
}
