// `vistter show run`: runs a timeline file without the UI, for scripting and unattended use.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../errors/registry.ts';
import { PLATFORMS, type Platform } from '../ffmpeg/platforms.ts';
import { stopAllSupervised } from '../process/supervisor.ts';
import { validateTimelineJson } from '../timeline/validate.ts';
import { Engine, type CameraFeed, type DestinationTarget, type ShowPlan } from './engine.ts';

export const SHOW_USAGE = `Usage: vistter show run <timeline.json> [options]

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

  const cameras = new Map<number, CameraFeed>();
  for (const spec of values.camera ?? []) {
    const match = /^(\d+)=(.+)$/.exec(spec);
    if (!match) throw new Error(`--camera must be ID=URL, got "${spec}"`);
    const id = Number(match[1]);
    const target = match[2]!;
    cameras.set(
      id,
      target === 'test'
        ? {
            kind: 'generated',
            name: `test ${id}`,
            pattern: id % 2 === 1 ? 'testsrc2' : 'smptehdbars',
            label: `Camera ${id}`,
          }
        : { kind: 'url', name: `camera ${id}`, url: target },
    );
  }

  // Each --platform applies to the --dest options after it.
  const destinations: DestinationTarget[] = [];
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
  const profile = values.profile ?? 'reliability';
  if (profile !== 'reliability' && profile !== 'quality')
    throw new Error('--profile must be reliability or quality');
  if (destinations.length === 0 && !values.record && !values.preview) {
    throw new Error('give at least one --dest, --record or --preview: the show needs somewhere to go');
  }
  return {
    plan: {
      timeline: result.document.timeline,
      cameras,
      destinations,
      mediaRoot: values['media-root'] ?? env['VISTTER_DATA_DIR'] ?? 'data',
      ...(values.record ? { recordPath: values.record } : {}),
      ...(values.preview ? { previewDir: values.preview } : {}),
      encoder: { profile, ...(values.preset ? { preset: values.preset } : {}) },
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
