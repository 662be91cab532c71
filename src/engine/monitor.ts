// Turns the engine's cumulative counters and the machine's /proc readings, sampled once a second,
// into the health check's input: rates over the last seconds (fps, bitrate, dropped frames,
// encoder CPU time per frame) next to the totals.
import { RateMeter, SystemSampler, kilobitsPerSecond, type HealthInput } from '../health/index.ts';
import { judgeDiskSpace, type DiskVerdict } from '../recordings/free-space.ts';
import type { RecordingLimits } from '../recordings/limits.ts';
import type { EngineStatus } from './engine-types.ts';

export type AlertCounts = HealthInput['alerts'];

/** Where a Raspberry Pi 5's firmware starts lowering the clock. */
const THROTTLE_CELSIUS = 80;

export class ShowMonitor {
  private readonly sampler: SystemSampler;
  private readonly ticks = new RateMeter();
  private readonly late = new RateMeter();
  private readonly dropped = new RateMeter();
  private readonly bytesOut = new RateMeter();
  private readonly encoderMs = new RateMeter();
  private readonly encodedFrames = new RateMeter();
  private encoderCpuMsTotal = 0;
  private encoderCpuPercent: number | null = null;
  private systemCpu: number | null = null;
  private temperatureC: number | null = null;
  private startedAt: number | null = null;

  private disk: DiskVerdict | null = null;

  /** `diskLimits`: judge the sampler's disk (its diskPath) for the health check. */
  constructor(
    sampler: SystemSampler = new SystemSampler(),
    private readonly diskLimits: RecordingLimits | null = null,
  ) {
    this.sampler = sampler;
  }

  /** The CPU is throttled for heat: at or above THROTTLE_CELSIUS (a Raspberry Pi 5 starts slowing
   *  down at 80 °C); null where no temperature is exposed. */
  get throttled(): boolean | null {
    return this.temperatureC === null ? null : this.temperatureC >= THROTTLE_CELSIUS;
  }

  /** Whole-machine CPU use at the last sample (0–100), null before two samples. */
  get systemCpuPercent(): number | null {
    return this.systemCpu;
  }

  /** Once a second while a show runs. */
  sample(now: number, status: EngineStatus, encoderPid: number | null): void {
    this.startedAt ??= now;
    const system = this.sampler.sample(encoderPid !== null ? [encoderPid] : []);
    this.systemCpu = system.cpuPercent;
    this.temperatureC = system.temperature?.celsius ?? null;
    this.disk = system.disk && this.diskLimits ? judgeDiskSpace(system.disk, this.diskLimits) : null;
    const encoder = system.processes[0];
    this.encoderCpuPercent = encoder?.cpuPercent ?? null;
    this.encoderCpuMsTotal += encoder?.cpuMs ?? 0;
    this.ticks.push(now, status.playout.ticks);
    this.late.push(now, status.playout.lateTicks);
    this.dropped.push(now, status.encoder.framesDropped);
    this.bytesOut.push(now, status.encoder.bytesOut);
    this.encoderMs.push(now, this.encoderCpuMsTotal);
    this.encodedFrames.push(now, status.encoder.framesWritten);
  }

  healthInput(now: number, status: EngineStatus, fps: number, alerts: AlertCounts): HealthInput {
    const frames = this.encodedFrames.increase();
    const onAir = status.onAir;
    const replacing = onAir?.replacing;
    const format = status.quality.format;
    const frameBytes = (format.width * format.height * 3) / 2;
    return {
      running: status.running,
      uptimeSeconds: this.startedAt === null ? 0 : (now - this.startedAt) / 1000,
      fps: { actual: this.ticks.perSecond(), target: fps },
      ticks: {
        total: status.playout.ticks,
        late: status.playout.lateTicks,
        latePerSecond: this.late.perSecond(),
      },
      droppedFrames: { total: status.encoder.framesDropped, perSecond: this.dropped.perSecond() },
      encoder: {
        state: status.encoder.state,
        restarts: status.encoder.restarts,
        cpuPercent: this.encoderCpuPercent,
        backlogFrames: frameBytes > 0 ? status.encoder.backlogBytes / frameBytes : 0,
        encodeMsPerFrame: frames > 0 ? this.encoderMs.increase() / frames : null,
      },
      bitrate: {
        currentKbps: kilobitsPerSecond(this.bytesOut.perSecond()),
        targetKbps: status.quality.bitrateKbpsNow + status.audioBitrateKbps,
      },
      destinations: status.outputs
        .filter((o) => o.kind === 'destination')
        .map((o) => ({
          id: o.id,
          name: o.name,
          state: o.state,
          bitrateKbps: o.bitrateKbps,
          bytesSent: o.bytesSent,
          bufferFullnessPercent: o.consumer?.queueFullnessPercent ?? null,
        })),
      sources: status.sources.map((s) => ({ key: s.key, state: s.state, frameAgeMs: s.frameAgeMs })),
      fallback: !replacing
        ? { mode: 'none' }
        : replacing.replacement.kind === 'backup'
          ? {
              mode: 'backup',
              scheduled: `Camera ${replacing.cameraId}`,
              replacement: `Camera ${replacing.replacement.cameraId}`,
            }
          : { mode: 'slate', scheduled: `Camera ${replacing.cameraId}` },
      degraded: {
        level: status.quality.level + status.quality.bitrateStep,
        ...(status.quality.symptoms.length > 0
          ? { reason: status.quality.symptoms.map((symptom) => symptom.words).join('; ') }
          : {}),
      },
      system: { cpuPercent: this.systemCpu, temperatureC: this.temperatureC, disk: this.disk },
      alerts,
    };
  }
}
