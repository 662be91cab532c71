// The engine's public door: what the layers above (src/app/) may use. Everything else under
// src/engine/ is the engine's own business and may change without them noticing.
export { Engine } from './engine.ts';
export type { CameraFeed, DestinationTarget, ShowPlan } from './engine.ts';
export type { EngineAlerts, EngineStatus } from './engine-types.ts';
export type { AlertCounts } from './monitor.ts';
export type { OutputSessionRestartEvent } from './outputs.ts';
export { pickKernels } from './compositor/index.ts';
export {
  buildLadder,
  describeBitrate,
  describeLevel,
  formatFps,
  reliefFrameRates,
  reliefSizes,
  type QualityLevel,
} from './quality/ladder.ts';
export {
  runCapacityCheck,
  type CapacityCheckOptions,
  type CapacityProgress,
  type CapacityResult,
} from './quality/capacity.ts';
export { parseProcessCpuSeconds, readIdleSeconds, readProcessCpuSeconds } from './quality/procfs.ts';
export { createTrialRunner, type TrialRunner } from './quality/trial.ts';
