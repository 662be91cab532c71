// What a show needs of an engine: the lifecycle the show runner drives (start, stop, status,
// cameras changed on air) and, on the real engine, the operator's live controls and telemetry.
// Unit tests stand in with engines that only play: those have no live controls.
import type { Logger } from '../core/logger.ts';
import {
  Engine,
  pickKernels,
  type CameraFeed,
  type EngineAlerts,
  type EngineControls,
  type ShowPlan,
} from '../engine/index.ts';
import type { EncoderProbe } from '../ffmpeg/machine-encoder.ts';
import type { ProgramState } from '../timeline/resolver.ts';
import type { SegmentStats } from './execution-plan.ts';

/** The live controls of a show on air and what the control room reads from it: the engine's
 *  own controls, less the lifecycle the runner keeps to itself. */
export type LiveControls = Omit<EngineControls, 'start' | 'stop' | 'updateCameras'>;

/** What the runner needs of an engine (the real Engine, or a stand-in in unit tests). */
export interface ShowEngine {
  start(): void;
  stop(): Promise<void>;
  status(): SegmentStats & { frame: number };
  /** Cameras (URLs, backups) changed while on air: they apply at once. */
  updateCameras?(cameras: ReadonlyMap<number, CameraFeed>): void;
  /** The operator's controls; absent on a stand-in that only plays. */
  readonly live?: LiveControls;
}

export interface EngineHooks {
  logger: Logger;
  onEnded: () => void;
  /** Each tick's program position (PTZ cue moves follow it). Must be quick and never throw. */
  onTick?: (frame: number) => void;
  /** Where the engine reports camera, destination, encoder and overload problems. */
  alerts?: EngineAlerts;
}

/**
 * Prepares what is slow (compositor kernels, the hardware encoder probe) and returns a creator
 * that is quick, so the start frame of a resumed show is fixed only moments before it plays.
 */
export type EngineFactory = () => Promise<(plan: ShowPlan, hooks: EngineHooks) => Promise<ShowEngine>>;

/** The real engine, with the machine's encoder found by `detectEncoder` (probed while the
 *  compositor kernels are prepared). */
export function realEngines(detectEncoder: EncoderProbe, log?: Logger): EngineFactory {
  // Without the WASM kernels (no build, no SIMD) the show still plays, on the slower reference.
  const onFallback = (err: unknown): void =>
    log?.warn({ err }, 'compositor: WASM SIMD kernels unavailable, drawing with the reference kernels');
  return async () => {
    const [kernels, choice] = await Promise.all([pickKernels({ onFallback }), detectEncoder()]);
    return async (plan, hooks) =>
      showEngineOf(
        await Engine.create(plan, {
          kernels,
          detectEncoder: () => Promise.resolve(choice),
          logger: hooks.logger,
          onEnded: hooks.onEnded,
          ...(hooks.alerts ? { alerts: hooks.alerts } : {}),
          ...(hooks.onTick ? { onTick: (state: ProgramState) => hooks.onTick!(state.frame) } : {}),
        }),
      );
  };
}

/** The real engine as a show drives it: its live controls travel with it. */
function showEngineOf(engine: Engine): ShowEngine {
  return {
    start: () => engine.start(),
    stop: () => engine.stop(),
    status: () => engine.status(),
    updateCameras: (cameras) => engine.updateCameras(cameras),
    live: engine,
  };
}
