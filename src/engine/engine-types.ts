// What the engine is given (the show plan), what it reports (its status) and where it reports to
// (alerts): types only, shared by the engine's parts and the app layer without importing the
// engine itself.
import type { Writable } from 'node:stream';
import type { EncodingProfile, VideoEncoder } from '../ffmpeg/argv.ts';
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import type { HealthInput, HealthReport, MetricsSnapshot } from '../health/index.ts';
import type { Platform } from '../ffmpeg/platforms.ts';
import type { RecordingLimits } from '../recordings/limits.ts';
import type { ProgramState } from '../timeline/resolver.ts';
import type { Timeline } from '../timeline/schema.ts';
import type { BedPlayerStats } from './audio/bed-player.ts';
import type { MixerReading } from './audio/mixer.ts';
import type { FailoverOptions } from './failover.ts';
import type { SessionLimit } from './outputs.ts';
import type { AudioLevels } from './audio-meter.ts';
import type { ShowDegradeOptions } from './quality/show-quality.ts';
import type { CameraFeed } from './sources/source-spec.ts';
import type { EncoderStats } from './encoder.ts';
import type { OnAirChoice } from './failover.ts';
import type { OutputStatus } from './outputs.ts';
import type { OverrideSnapshot } from './overrides.ts';
import type { PlayoutStats, ProgramPicture } from './playout.ts';
import type { QualityControlStatus } from './quality-control.ts';
import type { SourceHealth } from './sources/decoded-source.ts';

export type { EngineAlerts } from './engine-alerts.ts';
export type { CameraFeed } from './sources/source-spec.ts';

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
  /** Its quota, file length and the free space kept (default: the defaults, under ./data). */
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
  /** Degraded mode for this show (src/engine/quality/show-quality.ts). */
  degrade?: ShowDegradeOptions;
  /** The program's integrated loudness target in LUFS (the engine's mixer holds it); absent or
   *  null: off, the sources' sound goes out as it is (the app passes the setting, default −14). */
  loudnessTargetLufs?: number | null;
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
  /** The engine's mixer (gains, loudness; null: the sources' sound as it is) and the bed player. */
  audioMix?: { mixer: MixerReading | null; bed: BedPlayerStats | null };
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

/**
 * A show on air as the control room drives it: the engine's live controls and what it reports.
 * The Engine implements it; the app layer can hold a show by this interface alone.
 */
export interface EngineControls {
  start(): void;
  stop(): Promise<void>;
  status(): EngineStatus;
  /** The health check, with the alerts open now counted in. */
  health(alerts?: HealthInput['alerts']): HealthReport;
  metrics(): MetricsSnapshot;
  /** Holds the timeline clock; the program keeps streaming what is on air. */
  pause(): void;
  resume(): void;
  /** Jumps within the timeline (in the current loop); throws JUMP_OUT_OF_RANGE. */
  jumpTo(seconds: number): void;
  /** Holds degraded mode at a level (null: automatic again). */
  holdQuality(level: number | null): Promise<'done' | 'abandoned'>;
  setEmergency(on: boolean): void;
  pinCamera(cameraId: number | null): void;
  forceCamera(cameraId: number): void;
  /** Ends a force at once (the timeline's camera returns). */
  cancelForce(): void;
  /** Ends every override (emergency, pin, force, cleared overlays). */
  returnToTimeline(): void;
  clearOverlays(): void;
  restoreOverlays(): void;
  setOverlayText(cueId: string, text: string | null): Promise<void>;
  overlayText(cueId: string): string | null;
  /** The cameras changed on air (addresses, backups). */
  updateCameras(cameras: ReadonlyMap<number, CameraFeed>): void;
  /** Feeds the program (FLV) to another consumer with its own bounded queue. */
  attachProgram(writable: Writable, name: string, maxQueueBytes?: number): { detach(): void };
  /** The program's audio levels (peak and RMS per channel) over the last 100 ms. */
  audioLevels(): AudioLevels | null;
  /** The last program picture (yuv420p, a reused buffer: read it at once); null before the first. */
  programPicture(): ProgramPicture | null;
}
