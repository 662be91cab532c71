import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthInput } from '../../../src/health/evaluate.ts';
import { buildMetrics, type MetricsSnapshot } from '../../../src/health/metrics.ts';
import {
  escapeLabelValue,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from '../../../src/health/prometheus.ts';

const input: HealthInput = {
  running: true,
  uptimeSeconds: 3723.9,
  fps: { actual: 29.97, target: 30 },
  ticks: { total: 111_700, late: 12, latePerSecond: 0 },
  droppedFrames: { total: 14, perSecond: 0 },
  encoder: { state: 'running', restarts: 1, cpuPercent: 41.5, backlogFrames: 0, encodeMsPerFrame: 11.2 },
  bitrate: { currentKbps: 4590.5, targetKbps: 4628 },
  destinations: [
    {
      id: '1',
      name: 'YouTube',
      state: 'live',
      bitrateKbps: 4601,
      bytesSent: 2_000_000_000,
      bufferFullnessPercent: 3,
    },
    {
      id: '2',
      name: 'Facebook',
      state: 'retrying',
      bitrateKbps: null,
      bytesSent: 500,
      bufferFullnessPercent: 40,
    },
    { id: '3', name: 'Twitch', state: 'stopped', bitrateKbps: null, bytesSent: 0, bufferFullnessPercent: 90 },
  ],
  sources: [],
  fallback: { mode: 'none' },
  degraded: { level: 0 },
  system: { cpuPercent: 60, temperatureC: 61.9 },
  alerts: { info: 0, warning: 0, error: 0, critical: 0 },
};

describe('buildMetrics', () => {
  it('gives exactly the spec’s figures from the health input', () => {
    assert.deepEqual(buildMetrics(input), {
      bitrateKbps: { current: 4590.5, target: 4628 },
      fps: { actual: 29.97, target: 30 },
      droppedFrames: 14,
      encoderCpuPercent: 41.5,
      encodeMsPerFrame: 11.2,
      publisherBufferFullnessPercent: 40, // the fullest destination not stopped
      uptimeSeconds: 3723,
      bytesSent: 2_000_000_500,
      destinations: [
        { id: '1', name: 'YouTube', status: 'live', bitrateKbps: 4601 },
        { id: '2', name: 'Facebook', status: 'retrying', bitrateKbps: null },
        { id: '3', name: 'Twitch', status: 'stopped', bitrateKbps: null },
      ],
      cpuTemperatureC: 61.9,
      systemCpuPercent: 60,
    } satisfies MetricsSnapshot);
  });

  it('no destinations: nothing sent, no buffer figure', () => {
    const snapshot = buildMetrics({ ...input, destinations: [] });
    assert.equal(snapshot.bytesSent, 0);
    assert.equal(snapshot.publisherBufferFullnessPercent, null);
    assert.deepEqual(snapshot.destinations, []);
  });
});

describe('renderPrometheus', () => {
  it('renders the text format 0.0.4, leaving out what is not measured', () => {
    const text = renderPrometheus(
      buildMetrics({
        ...input,
        destinations: input.destinations.slice(0, 2),
        system: { cpuPercent: 60, temperatureC: null },
      }),
    );
    assert.equal(PROMETHEUS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(
      text,
      [
        '# HELP vistter_bitrate_kbps Program bitrate out of the encoder, kilobits per second.',
        '# TYPE vistter_bitrate_kbps gauge',
        'vistter_bitrate_kbps 4590.5',
        '# HELP vistter_bitrate_target_kbps Configured program bitrate, kilobits per second.',
        '# TYPE vistter_bitrate_target_kbps gauge',
        'vistter_bitrate_target_kbps 4628',
        '# HELP vistter_fps Program frames per second actually written.',
        '# TYPE vistter_fps gauge',
        'vistter_fps 29.97',
        '# HELP vistter_fps_target Program frame rate of the timeline.',
        '# TYPE vistter_fps_target gauge',
        'vistter_fps_target 30',
        '# HELP vistter_dropped_frames_total Program frames dropped before the encoder since the show started.',
        '# TYPE vistter_dropped_frames_total counter',
        'vistter_dropped_frames_total 14',
        '# HELP vistter_encoder_cpu_percent Encoder process CPU as a share of the whole machine (0-100).',
        '# TYPE vistter_encoder_cpu_percent gauge',
        'vistter_encoder_cpu_percent 41.5',
        '# HELP vistter_encode_time_ms Encoder CPU time per frame, milliseconds.',
        '# TYPE vistter_encode_time_ms gauge',
        'vistter_encode_time_ms 11.2',
        '# HELP vistter_publisher_buffer_fullness_percent Fullest destination send queue (0-100); high means an uplink cannot keep up.',
        '# TYPE vistter_publisher_buffer_fullness_percent gauge',
        'vistter_publisher_buffer_fullness_percent 40',
        '# HELP vistter_uptime_seconds Seconds since the show started.',
        '# TYPE vistter_uptime_seconds gauge',
        'vistter_uptime_seconds 3723',
        '# HELP vistter_bytes_sent_total Bytes written to all destinations since the show started.',
        '# TYPE vistter_bytes_sent_total counter',
        'vistter_bytes_sent_total 2000000500',
        '# HELP vistter_destination_status Destination state (1 for the current state).',
        '# TYPE vistter_destination_status gauge',
        'vistter_destination_status{id="1",name="YouTube",status="connecting"} 0',
        'vistter_destination_status{id="1",name="YouTube",status="live"} 1',
        'vistter_destination_status{id="1",name="YouTube",status="retrying"} 0',
        'vistter_destination_status{id="1",name="YouTube",status="failing"} 0',
        'vistter_destination_status{id="1",name="YouTube",status="stopped"} 0',
        'vistter_destination_status{id="2",name="Facebook",status="connecting"} 0',
        'vistter_destination_status{id="2",name="Facebook",status="live"} 0',
        'vistter_destination_status{id="2",name="Facebook",status="retrying"} 1',
        'vistter_destination_status{id="2",name="Facebook",status="failing"} 0',
        'vistter_destination_status{id="2",name="Facebook",status="stopped"} 0',
        '# HELP vistter_destination_bitrate_kbps Bitrate sent to each destination, kilobits per second.',
        '# TYPE vistter_destination_bitrate_kbps gauge',
        'vistter_destination_bitrate_kbps{id="1",name="YouTube"} 4601',
        '# HELP vistter_cpu_temperature_celsius CPU temperature, degrees Celsius (absent when the machine has no sensor).',
        '# TYPE vistter_cpu_temperature_celsius gauge',
        '# HELP vistter_system_cpu_percent CPU use of the whole machine, percent (0–100).',
        '# TYPE vistter_system_cpu_percent gauge',
        'vistter_system_cpu_percent 60',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values (backslash, quote, line feed) and renders special numbers', () => {
    assert.equal(escapeLabelValue('a\\b "c"\nd'), 'a\\\\b \\"c\\"\\nd');
    const text = renderPrometheus(
      buildMetrics({
        ...input,
        fps: { actual: Number.NaN, target: 30 },
        bitrate: { currentKbps: Number.POSITIVE_INFINITY, targetKbps: 4628 },
        destinations: [
          {
            id: '7',
            name: 'Church "Main" \\ Hall\nLive',
            state: 'live',
            bitrateKbps: 1,
            bytesSent: 1,
            bufferFullnessPercent: 0,
          },
        ],
      }),
    );
    assert.ok(
      text.includes('vistter_destination_bitrate_kbps{id="7",name="Church \\"Main\\" \\\\ Hall\\nLive"} 1\n'),
    );
    assert.ok(text.includes('\nvistter_fps NaN\n'));
    assert.ok(text.includes('\nvistter_bitrate_kbps +Inf\n'));
    // Every line is a comment or `name{labels} value`, one per line (no raw line feed leaked).
    for (const line of text.trimEnd().split('\n')) {
      assert.match(
        line,
        /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)+\})? \S+)$/,
        line,
      );
    }
  });
});
