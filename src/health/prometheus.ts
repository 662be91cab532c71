// The metrics snapshot in the Prometheus text exposition format 0.0.4, for GET /metrics.
// A figure not measured yet (null) is left out rather than reported as 0.
import type { DestinationState } from './evaluate.ts';
import type { MetricsSnapshot } from './metrics.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const DESTINATION_STATES: readonly DestinationState[] = [
  'connecting',
  'live',
  'retrying',
  'failing',
  'stopped',
];

type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Array<{ labels?: Labels; value: number | null }>;
}

export function renderPrometheus(snapshot: MetricsSnapshot): string {
  const families: Family[] = [
    gauge(
      'vistter_bitrate_kbps',
      'Program bitrate out of the encoder, kilobits per second.',
      snapshot.bitrateKbps.current,
    ),
    gauge(
      'vistter_bitrate_target_kbps',
      'Configured program bitrate, kilobits per second.',
      snapshot.bitrateKbps.target,
    ),
    gauge('vistter_fps', 'Program frames per second actually written.', snapshot.fps.actual),
    gauge('vistter_fps_target', 'Program frame rate of the timeline.', snapshot.fps.target),
    {
      name: 'vistter_dropped_frames_total',
      help: 'Program frames dropped before the encoder since the show started.',
      type: 'counter',
      samples: [{ value: snapshot.droppedFrames }],
    },
    gauge(
      'vistter_encoder_cpu_percent',
      'Encoder process CPU as a share of the whole machine (0-100).',
      snapshot.encoderCpuPercent,
    ),
    gauge('vistter_encode_time_ms', 'Encoder CPU time per frame, milliseconds.', snapshot.encodeMsPerFrame),
    gauge(
      'vistter_publisher_buffer_fullness_percent',
      'Fullest destination send queue (0-100); high means an uplink cannot keep up.',
      snapshot.publisherBufferFullnessPercent,
    ),
    gauge('vistter_uptime_seconds', 'Seconds since the show started.', snapshot.uptimeSeconds),
    {
      name: 'vistter_bytes_sent_total',
      help: 'Bytes written to all destinations since the show started.',
      type: 'counter',
      samples: [{ value: snapshot.bytesSent }],
    },
    {
      // A state set: one series per state, 1 for the current one.
      name: 'vistter_destination_status',
      help: 'Destination state (1 for the current state).',
      type: 'gauge',
      samples: snapshot.destinations.flatMap((d) =>
        DESTINATION_STATES.map((status) => ({
          labels: { id: d.id, name: d.name, status },
          value: d.status === status ? 1 : 0,
        })),
      ),
    },
    {
      name: 'vistter_destination_bitrate_kbps',
      help: 'Bitrate sent to each destination, kilobits per second.',
      type: 'gauge',
      samples: snapshot.destinations.map((d) => ({
        labels: { id: d.id, name: d.name },
        value: d.bitrateKbps,
      })),
    },
    gauge(
      'vistter_cpu_temperature_celsius',
      'CPU temperature, degrees Celsius (absent when the machine has no sensor).',
      snapshot.cpuTemperatureC,
    ),
    gauge(
      'vistter_system_cpu_percent',
      'CPU use of the whole machine, percent (0–100).',
      snapshot.systemCpuPercent,
    ),
  ];
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      if (sample.value === null) continue;
      lines.push(`${family.name}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Label values escape backslash, double quote and line feed (the format's only escapes). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function renderLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function gauge(name: string, help: string, value: number | null): Family {
  return { name, help, type: 'gauge', samples: [{ value }] };
}
