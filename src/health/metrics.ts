// The metrics snapshot (pure): exactly the figures the spec's STREAM_METRICS lists, taken from the
// same input as the health check so the two never disagree.
import type { DestinationState, HealthInput } from './evaluate.ts';

export interface DestinationMetrics {
  id: string;
  name: string;
  status: DestinationState;
  bitrateKbps: number | null;
}

export interface MetricsSnapshot {
  bitrateKbps: { current: number | null; target: number };
  fps: { actual: number | null; target: number };
  /** Since the show started. */
  droppedFrames: number;
  /** The encoder process's share of the whole machine (0–100). */
  encoderCpuPercent: number | null;
  /** Encoder CPU time per frame, ms. */
  encodeMsPerFrame: number | null;
  /** The fullest publisher send queue among destinations not stopped (0–100): high is bad. */
  publisherBufferFullnessPercent: number | null;
  uptimeSeconds: number;
  /** Bytes written to all destinations since the show started. */
  bytesSent: number;
  destinations: DestinationMetrics[];
  cpuTemperatureC: number | null;
  /** The whole machine's CPU use (0–100). */
  systemCpuPercent: number | null;
}

export type MetricsInput = Pick<
  HealthInput,
  'uptimeSeconds' | 'fps' | 'droppedFrames' | 'encoder' | 'bitrate' | 'destinations' | 'system'
>;

export function buildMetrics(input: MetricsInput): MetricsSnapshot {
  const buffers = input.destinations
    .filter((d) => d.state !== 'stopped')
    .map((d) => d.bufferFullnessPercent)
    .filter((value): value is number => value !== null);
  return {
    bitrateKbps: { current: input.bitrate.currentKbps, target: input.bitrate.targetKbps },
    fps: { actual: input.fps.actual, target: input.fps.target },
    droppedFrames: input.droppedFrames.total,
    encoderCpuPercent: input.encoder.cpuPercent,
    encodeMsPerFrame: input.encoder.encodeMsPerFrame,
    publisherBufferFullnessPercent: buffers.length > 0 ? Math.max(...buffers) : null,
    uptimeSeconds: Math.floor(input.uptimeSeconds),
    bytesSent: input.destinations.reduce((sum, d) => sum + d.bytesSent, 0),
    destinations: input.destinations.map((d) => ({
      id: d.id,
      name: d.name,
      status: d.state,
      bitrateKbps: d.bitrateKbps,
    })),
    cpuTemperatureC: input.system.temperatureC,
    systemCpuPercent: input.system.cpuPercent,
  };
}
