// What the health history reads of the show on air: the metrics the control room shows and the
// destinations' restart counts (each failed session the engine started again is a reconnect).
import type { HealthReading } from '../health/history.ts';
import type { ShowControl } from './show-control.ts';

export function readShowHealth(shows: Pick<ShowControl, 'metrics' | 'current'>): HealthReading | null {
  const metrics = shows.metrics();
  const show = shows.current;
  const engine = show?.engine;
  if (!metrics || !show || !engine) return null;
  const reconnects = engine
    .status()
    .outputs.filter((output) => output.kind === 'destination')
    .reduce((sum, output) => sum + output.restarts, 0);
  return {
    executionId: show.executionId,
    bitrateKbps: metrics.bitrateKbps.current,
    fps: metrics.fps.actual,
    droppedFramesTotal: metrics.droppedFrames,
    systemCpuPercent: metrics.systemCpuPercent,
    reconnectsTotal: reconnects,
  };
}
