// The engine's public door: what the app layer (show runner, pre-flight, show control, capacity
// service) may use. Everything else under src/engine/ is the engine's own business.

// The show: the engine, what it is given and what it reports.
export { Engine, type EngineDeps } from './engine.ts';
export type {
  CameraFeed,
  DestinationTarget,
  EngineAlerts,
  EngineControls,
  EngineStatus,
  ShowPlan,
} from './engine-types.ts';
export type { OutputSessionRestartEvent, SessionLimit } from './outputs.ts';
export type { AudioLevels, ChannelLevel } from './audio-meter.ts';
export type { ProgramPicture } from './playout.ts';
export { pickKernels, type Kernels } from './compositor/index.ts';
export { MAX_BACKUP_CHAIN } from './failover.ts';

// Media paths as the show resolves them.
export { mediaPathOf, resolveMediaPath, type MediaLocation } from './sources/media-path.ts';

// Degraded mode's ladder and the capacity check (where a show starts on this machine).
export {
  buildBitrateLadder,
  buildLadder,
  describeBitrate,
  describeLevel,
  formatFps,
  reliefFrameRates,
  reliefSizes,
  type QualityLevel,
} from './quality/ladder.ts';
export {
  planShowQuality,
  type QualityCeiling,
  type ShowDegradeOptions,
  type ShowQuality,
} from './quality/show-quality.ts';
export {
  runCapacityCheck,
  type CapacityCheckOptions,
  type CapacityProgress,
  type CapacityResult,
} from './quality/capacity.ts';
export { parseProcessCpuSeconds, readIdleSeconds, readProcessCpuSeconds } from './quality/procfs.ts';
export { createTrialRunner, type TrialRunner } from './quality/trial.ts';
export { classifyFailure, type OutputErrorKind } from './destinations/failure.ts';
