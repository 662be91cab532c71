// `vistter show run`: runs a timeline file without the UI, for scripting and unattended use.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { messageOf } from '../core/message-of.ts';
import { toFieldIssues } from '../domain/issues.ts';
import { AppError } from '../errors/registry.ts';
import { PLATFORMS, type Platform } from '../ffmpeg/platforms.ts';
import { stopAllSupervised } from '../process/supervisor.ts';
import { validateTimelineJson } from '../timeline/validate.ts';
import { Engine } from './engine.ts';
import type { CameraFeed, DestinationTarget, ShowPlan } from './engine-types.ts';

export const SHOW_USAGE = `Usage: vistter show run <timeline.json> [options]

  --config FILE          Cameras, destinations and outputs from a JSON file (options below add to it):
                         {"cameras": {"1": "rtsp://…", "2": "test"},
                          "destinations": [{"url": "rtmp://…/key", "platform": "youtube"}],
                          "record": "show.mp4", "preview": "preview/", "preset": "veryfast"}
  --camera ID=URL        A camera for the timeline's camera_id ID (repeat); rtsp://, rtmp://, http(s)://, srt://
  --camera ID=test       A generated test camera instead
  --dest URL             A destination (repeat): rtmp://host/app/key, rtmps://…, srt://…
  --platform NAME        Platform preset for the following --dest: youtube, facebook, twitch, custom (default custom)
  --record FILE          Also record locally (.flv or .mp4)
  --preview DIR          Also write an HLS preview (DIR/index.m3u8)
  --duration SECONDS     Stop after this long (default: until the timeline ends, or Ctrl-C)
  --media-root DIR       Where timeline media paths (/assets/…) are found (default: $VISTTER_DATA_DIR or ./data)
  --preset NAME          x264 preset (default: the profile's; veryfast for small machines)
  --profile NAME         reliability (default) or quality`;

/** The --config file: the same settings as the options, for unattended use. */
export const ShowConfigSchema = z.strictObject({
  cameras: z
    .record(z.string().regex(/^\d+$/, { error: 'camera ids are whole numbers' }), z.string().min(1))
    .default({}),
  destinations: z
    .array(
      z.strictObject({
        url: z.string().regex(/^(rtmps?|srt):\/\//, { error: 'must start with rtmp://, rtmps:// or srt://' }),
        platform: z.enum(Object.keys(PLATFORMS) as [Platform, ...Platform[]]).default('custom'),
        name: z.string().max(100).optional(),
      }),
    )
    .default([]),
  record: z.string().optional(),
  preview: z.string().optional(),
  preset: z.string().optional(),
  profile: z.enum(['reliability', 'quality']).optional(),
  media_root: z.string().optional(),
});
export type ShowConfig = z.output<typeof ShowConfigSchema>;

function readShowConfig(file: string): ShowConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('JSON_MALFORMED', `${file}: ${messageOf(error)}`);
  }
  const parsed = ShowConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      'VALIDATION_FAILED',
      `${file} is not a valid show config`,
      toFieldIssues(parsed.error),
    );
  return parsed.data;
}

function cameraFeed(id: number, target: string): CameraFeed {
  return target === 'test'
    ? {
        kind: 'generated',
        name: `test ${id}`,
        pattern: id % 2 === 1 ? 'testsrc2' : 'smptehdbars',
        label: `Camera ${id}`,
      }
    : { kind: 'url', name: `camera ${id}`, url: target };
}

export interface ShowRunArgs {
  plan: ShowPlan;
  durationSeconds: number | null;
}

/** Parses `show run` arguments into a plan; throws AppError/Error with a clear message. */
export function parseShowRun(argv: string[], env: NodeJS.ProcessEnv): ShowRunArgs {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: {
      config: { type: 'string' },
      camera: { type: 'string', multiple: true },
      dest: { type: 'string', multiple: true },
      platform: { type: 'string', multiple: true },
      record: { type: 'string' },
      preview: { type: 'string' },
      duration: { type: 'string' },
      'media-root': { type: 'string' },
      preset: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('show run needs a timeline file');
  const result = validateTimelineJson(readFileSync(file, 'utf8'));
  if (!result.ok) throw new AppError('TIMELINE_INVALID', `${file} is not a valid timeline`, result.errors);

  const config = values.config ? readShowConfig(values.config) : ShowConfigSchema.parse({});
  const cameras = new Map<number, CameraFeed>(
    Object.entries(config.cameras).map(([id, target]) => [Number(id), cameraFeed(Number(id), target)]),
  );
  for (const spec of values.camera ?? []) {
    const match = /^(\d+)=(.+)$/.exec(spec);
    if (!match) throw new Error(`--camera must be ID=URL, got "${spec}"`);
    cameras.set(Number(match[1]), cameraFeed(Number(match[1]), match[2]!));
  }

  // Each --platform applies to the --dest options after it.
  const destinations: DestinationTarget[] = config.destinations.map((d, index) => ({
    id: `dest${index + 1}`,
    name: d.name ?? `destination ${index + 1} (${d.platform})`,
    platform: d.platform,
    url: d.url,
  }));
  let platform: Platform = 'custom';
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'platform') {
      if (!token.value || !(token.value in PLATFORMS))
        throw new Error(`--platform must be one of ${Object.keys(PLATFORMS).join(', ')}`);
      platform = token.value as Platform;
    }
    if (token.name === 'dest' && token.value) {
      destinations.push({
        id: `dest${destinations.length + 1}`,
        name: `destination ${destinations.length + 1} (${platform})`,
        platform,
        url: token.value,
      });
    }
  }

  const duration = values.duration === undefined ? null : Number(values.duration);
  if (duration !== null && !(duration > 0)) throw new Error('--duration must be a number of seconds');
  const profile = values.profile ?? config.profile ?? 'reliability';
  if (profile !== 'reliability' && profile !== 'quality')
    throw new Error('--profile must be reliability or quality');
  const record = values.record ?? config.record;
  const preview = values.preview ?? config.preview;
  const preset = values.preset ?? config.preset;
  if (destinations.length === 0 && !record && !preview) {
    throw new Error('give at least one --dest, --record or --preview: the show needs somewhere to go');
  }
  return {
    plan: {
      timeline: result.document.timeline,
      cameras,
      destinations,
      mediaRoot: values['media-root'] ?? config.media_root ?? env['VISTTER_DATA_DIR'] ?? 'data',
      ...(record ? { recordPath: record } : {}),
      ...(preview ? { previewDir: preview } : {}),
      encoder: { profile, ...(preset ? { preset } : {}) },
    },
    durationSeconds: duration,
  };
}

/** Runs the show until the duration passes, the timeline ends, or SIGINT/SIGTERM. */
export async function runShow(args: ShowRunArgs, log: (line: string) => void): Promise<void> {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const engine = await Engine.create(args.plan, { onEnded: () => finish() });
  const onSignal = () => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = args.durationSeconds === null ? null : setTimeout(finish, args.durationSeconds * 1000);
  engine.start();
  const choice = engine.status().encoderChoice;
  const tested = choice.tried.map((t) => `${t.encoder} ${t.ok ? 'ok' : `failed: ${t.reason}`}`).join('; ');
  log(`Encoder: ${choice.encoder}${tested ? ` (tested: ${tested})` : ''}`);
  log(
    `On air: "${args.plan.timeline.name}" → ${args.plan.destinations.length} destination(s)${args.plan.recordPath ? ', recording' : ''}${args.plan.previewDir ? ', preview' : ''}. Ctrl-C stops.`,
  );
  try {
    await finished;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const status = engine.status();
    await engine.stop();
    await stopAllSupervised();
    log(
      `Stopped after ${status.playout.ticks} frames (${status.playout.lateTicks} late, ${status.encoder.restarts} encoder restarts).`,
    );
  }
}
