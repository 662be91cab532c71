// What the engine reports (its status) and where it reports to (alerts): types only, shared by
// the engine's parts and the app layer without importing the engine itself.
import type { EncoderDetection } from '../ffmpeg/hardware.ts';
import type { ProgramState } from '../timeline/resolver.ts';
import type { EncoderStats } from './encoder.ts';
import type { OnAirChoice } from './failover.ts';
import type { OutputStatus } from './outputs.ts';
import type { OverrideSnapshot } from './overrides.ts';
import type { PlayoutStats } from './playout.ts';
import type { QualityControlStatus } from './quality-control.ts';
import type { SourceHealth } from './sources/decoded-source.ts';

export type { EngineAlerts } from './engine-alerts.ts';

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
