// The appliance entry point: wires configuration, store, shows and the web API, then listens. At
// start it ends what a crashed run left behind (recorded process groups, never by name) and resumes
// an interrupted show on its own execution row at the position the wall clock says it is at. With
// no cameras configured and nothing to resume it runs the demo show (generated test cameras → local
// recording + HLS preview), itself an execution, so a newcomer sees it work in one command. The
// operator's GO LIVE replaces the demo.
// First: the configuration, loaded and validated once, sets the logs' level before modules log.
import { config } from './boot-env.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { isIP, type AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapacityCheckStopped, CapacityService } from './app/capacity.ts';
import { trackChildProcesses, type ChildTracking } from './app/child-cleanup.ts';
import { resumeInterruptedShows } from './app/crash-resume.ts';
import type { ShowRequest } from './app/execution-plan.ts';
import { formatPosition } from './app/resume-position.ts';
import { readShowHealth } from './app/health-reading.ts';
import { HealthSampler } from './health/history-sampler.ts';
import { runPreflight } from './app/preflight.ts';
import { ShowControl } from './app/show-control.ts';
import type { RunningShow } from './app/running-show.ts';
import { ShowRunner } from './app/show-runner.ts';
import { buildApp } from './api/app.ts';
import { HostPolicy, normalizeHost } from './api/host-guard.ts';
import {
  describeCertificate,
  listenForHttpsRedirects,
  renewDaily,
  serverCertificate,
  TlsError,
  type TlsMaterial,
} from './api/tls.ts';
import { cleanIncomingUploads } from './assets/ingest.ts';
import { testCamera } from './cameras/probe.ts';
import { systemClock } from './core/clock.ts';
import { createLogger } from './core/logger.ts';
import { machineEncoder } from './ffmpeg/machine-encoder.ts';
import { RecordingsHousekeeper } from './recordings/housekeeper.ts';
import { TIMELAPSE_SETTING, timelapseSettings } from './domain/timelapse.ts';
import { TimelapseService } from './timelapse/service.ts';
import { timelapsePressure } from './timelapse/pressure.ts';
import { snapshotDayUsage, snapshotsRoot } from './timelapse/snapshot-days.ts';
import { killAllSupervised, stopAllSupervised } from './process/supervisor.ts';
import { installOnvifSafetyNet } from './ptz/safety-net.ts';
import { openStore } from './store/store.ts';
import { Scheduler } from './scheduler/service.ts';
import { POSITION_SETTING } from './domain/settings.ts';
import { isValidTimeZone, systemTimeZone } from './core/calendar.ts';
import { ALERT_WEBHOOK_SETTING, createAlerting } from './alerts/index.ts';
import { createWebsiteOutputs } from './website/outputs.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_TIMELINE = join(REPO_ROOT, 'demo', 'marina-demo.json');
const DEMO_DOC_ID = 'demo_marina';
const TIMEZONE_SETTING = 'appliance.timezone';
/** The first-start measurement waits this long after the boot show began (its decoders connect). */
const BOOT_MEASURE_AFTER_MS = 10_000;

const log = createLogger('main');
// A camera's malformed ONVIF answer can make the onvif library throw outside any caller; that must
// not end every stream (src/ptz/safety-net.ts). Every other uncaught error stays fatal.
installOnvifSafetyNet(process, log);
let children: ChildTracking | null = null;
// Whatever happens, never leave a decoder or encoder behind (by process group, never by name).
process.on('exit', () => {
  killAllSupervised();
  children?.close();
});

// The demo is not recorded: it is generated test pictures nobody needs kept, it may run for weeks
// on a fresh appliance, and 1.1 GB an hour of writes would wear an SD card out for nothing (the
// HLS preview shows it works). An operator's recording is kept within the quota instead.
function demoRequest(timelineId: number, dataDir: string): ShowRequest {
  const previewDir = join(dataDir, 'preview');
  mkdirSync(previewDir, { recursive: true });
  return {
    timelineId,
    destinationIds: [],
    previewDir,
    mediaRoot: REPO_ROOT,
    encoder: { preset: 'veryfast', bitrateKbps: 2500 },
    generatedCameras: [
      { id: 1, name: 'demo camera 1', pattern: 'testsrc2', label: 'Demo camera 1 - Wharfside' },
      { id: 2, name: 'demo camera 2', pattern: 'smptehdbars', label: 'Demo camera 2 - Fuel pier' },
    ],
  };
}

function describeOutputs(show: RunningShow): string[] {
  const lines: string[] = [];
  const { previewDir } = show.request;
  if (show.request.destinationIds.length > 0)
    lines.push(`  Destinations:   ${show.request.destinationIds.join(', ')}`);
  if (previewDir)
    lines.push(
      `  Preview (HLS):  ${join(previewDir, 'index.m3u8')}   e.g. ffplay ${join(previewDir, 'index.m3u8')}`,
    );
  if (show.recordPath) lines.push(`  Recording:      ${show.recordPath}   (about 1.1 GB per hour at 720p)`);
  lines.push('  Ctrl-C stops the show.');
  return lines;
}

// The names requests may carry in Host (and the appliance's own certificate names), then the
// certificate, before anything goes on air: a start that cannot serve HTTPS stops here, saying why.
const hosts = new HostPolicy(config.allowedHosts);
// Children are tracked from here on, so even the certificate's openssl is ended after a crash.
children = await trackChildProcesses(config.dataDir, log);
const tls = config.tls ? await certificateOrExit() : null;
const store = openStore({ dataDir: config.dataDir, configuredSecretKey: config.secretKey });
if (children.reaped.killed.length > 0) {
  console.error(
    `VistterStream: ended ${children.reaped.killed.length} process group(s) left behind by a crashed run ` +
      `(${children.reaped.killed.map((g) => `${g.label} pgid ${g.pgid}`).join(', ')}).`,
  );
}
const leftovers = await cleanIncomingUploads(config.dataDir);
if (leftovers > 0) log.info({ leftovers }, 'removed uploads a crash left unfinished');
if (store.timelines.list().length === 0) {
  const { id } = store.timelines.create(JSON.parse(readFileSync(DEMO_TIMELINE, 'utf8')));
  log.info({ timelineId: id }, 'first start: imported the demo timeline');
}

// Alerts are persisted and, when a webhook is configured (settings "alerts.webhook", or
// VISTTER_ALERT_WEBHOOK_URL), POSTed to it. Alerts still open from before a restart are closed
// once the show has had time to raise again whatever still holds.
const webhookUrl = config.alertWebhookUrl;
const alerting = createAlerting({
  alerts: store.alerts,
  webhook: webhookUrl ? { url: webhookUrl } : store.settings.get<unknown>(ALERT_WEBHOOK_SETTING, null),
});
setTimeout(() => alerting.center.clearCarriedOver(), 20_000).unref();
// Recordings within their quota and the data disk watched, show or no show (README "Recordings
// and disk space"); a recording on air also watches its own disk, every 5 s.
const housekeeper = new RecordingsHousekeeper({
  limits: config.recordings,
  dataDir: config.dataDir,
  clock: systemClock,
  logger: createLogger('disk'),
  alerts: alerting.center,
  // The time-lapse's snapshot days not yet made into videos count towards the same quota.
  alsoCounted: () => snapshotDayUsage(snapshotsRoot(config.dataDir)),
});
housekeeper.start();
// One probe of the machine's encoders for pre-flight, the capacity check and the shows.
const detectEncoder = machineEncoder;
// Where a show starts on this machine: measured at the first start and in pre-flight, kept in the
// settings; every show the runner starts (GO LIVE, schedules, crash resume) starts there.
const capacity = new CapacityService({
  settings: store.settings,
  detectEncoder,
  logger: createLogger('capacity'),
});
const runner = new ShowRunner({
  store,
  mediaRoot: config.dataDir,
  recordingLimits: config.recordings,
  logger: createLogger('shows'),
  detectEncoder,
  alerts: alerting.center,
  startLevel: (show) => capacity.startLevelForShow(show),
  youtube: config.youtube, // issue 17: broadcasts of managed YouTube destinations
});
const isDemo = (show: RunningShow) => show.request.generatedCameras !== undefined;
/** A show of the operator's is on air or starting: measuring now would take CPU from it. */
const realShowOnAir = (): boolean => {
  const current = shows.current;
  return (current !== null && !isDemo(current)) || shows.liveState().state === 'starting';
};
const shows = new ShowControl({
  store,
  runner,
  dataDir: config.dataDir,
  alerts: alerting.center,
  capacity,
  disk: () => housekeeper.disk(),
  logger: createLogger('show-control'),
  preflight: ({ record, ...input }) =>
    runPreflight({
      store,
      ...input,
      // GO LIVE always feeds the control room's preview; a recording is optional.
      localOutputs: { preview: true, recording: record === true },
      mediaRoot: config.dataDir,
      disk: () => housekeeper.disk(),
      probeCamera: async (cameraId) => testCamera(store.cameras.connection(cameraId).url),
      detectEncoder,
      capacity: (show, encoder) =>
        capacity.answer(show, encoder, {
          measure: !realShowOnAir(),
          why: 'a show is on air, and measuring would take CPU from it',
        }),
    }),
});
// The control room's health graphs: a sample of the show on air every 10 s, kept a day.
const healthSampler = new HealthSampler({
  clock: systemClock,
  read: () => readShowHealth(shows),
  save: (sample) => store.healthSamples.insert(sample),
  logger: createLogger('health-history'),
});
healthSampler.start();
// A show of the operator's going on air has the machine to itself.
shows.onChange(() => {
  if (realShowOnAir()) capacity.stopBackground();
});

const boot = await resumeInterruptedShows(store, runner, { logger: log });
for (const result of boot.results) {
  if (result.outcome !== 'resumed')
    console.error(
      `VistterStream: interrupted execution ${result.executionId}: ${result.outcome} (${result.detail}).`,
    );
}
if (boot.resumed) {
  const show = boot.resumed;
  shows.adopt(show, { demo: isDemo(show) });
  const position = show.startFrame % show.durationFrames;
  console.error(
    [
      `VistterStream resumed the interrupted show "${show.timeline.name}" (execution ${show.executionId}) at ` +
        `${formatPosition(position, show.fps)} of ${formatPosition(show.durationFrames, show.fps)}.`,
      ...show.warnings.map((w) => `  warning: ${w}`),
      ...describeOutputs(show),
    ].join('\n'),
  );
} else if (boot.liveElsewhere.length > 0) {
  console.error(
    `VistterStream: a show is already running in another process (${boot.liveElsewhere
      .map((e) => `execution ${e.id}, pid ${e.owner?.pid ?? '?'}`)
      .join('; ')}); not starting another.`,
  );
} else {
  const demo = store.timelines.list().find((t) => t.doc_id === DEMO_DOC_ID);
  const cameraCount = store.cameras.list().length;
  if (cameraCount === 0 && demo) {
    const show = await runner.start(demoRequest(demo.id, config.dataDir));
    shows.adopt(show, { demo: true });
    console.error(
      [
        `VistterStream demo show is on air: "${show.timeline.name}" (two generated test cameras, looping; execution ${show.executionId}).`,
        ...describeOutputs(show),
      ].join('\n'),
    );
  } else {
    console.error(
      `VistterStream: ${cameraCount} camera(s), ${store.timelines.list().length} timeline(s) in ${config.dataDir}; nothing on air.`,
    );
  }
}
measureAtFirstStart(shows.current);

/**
 * First start: measures this machine for the show put on air at boot (the demo), in the
 * background once that show has settled, unless a result for it is stored. Not beside a resumed
 * show of the operator's: its audience would pay for the CPU (its next pre-flight measures).
 */
function measureAtFirstStart(bootShow: RunningShow | null): void {
  if (!bootShow) return;
  if (!isDemo(bootShow)) {
    log.info('capacity: not measured at boot beside a show on air; the next pre-flight measures');
    return;
  }
  setTimeout(() => {
    if (shows.current !== bootShow || realShowOnAir()) return;
    void detectEncoder()
      .then((detection) =>
        capacity.answer(
          { timeline: bootShow.timeline, encoder: bootShow.request.encoder },
          detection.encoder,
          {
            measure: true,
            priority: 'background',
          },
        ),
      )
      .then((answer) => {
        if (answer.kind === 'measured' && answer.measuredNow)
          log.info(
            { chosen: answer.result.description },
            `capacity at first start: ${answer.result.summary}`,
          );
      })
      .catch((error: unknown) => {
        if (error instanceof CapacityCheckStopped) log.info(`capacity at first start: ${error.message}`);
        else log.error({ err: error }, 'capacity at first start: the check failed');
      });
  }, BOOT_MEASURE_AFTER_MS).unref();
}

// Schedules start and stop shows on their own, in the appliance's time zone: VISTTER_TZ (or the
// config file), else the "appliance.timezone" setting, else the system's. At boot the scheduler
// takes back a scheduled show crash recovery resumed, and starts a window that is on now.
const timeZone = (): string => {
  const setting = store.settings.get<unknown>(TIMEZONE_SETTING, null);
  return (
    config.timeZone ?? (typeof setting === 'string' && isValidTimeZone(setting) ? setting : systemTimeZone())
  );
};
const scheduler = new Scheduler({
  store,
  shows,
  timeZone,
  alerts: alerting.center,
  logger: createLogger('scheduler'),
  // A window's first timeline is measured a few minutes ahead (unless measured lately), so its
  // pre-flight does not wait for the capacity check.
  prepare: ([timelineId]) => {
    if (timelineId === undefined || realShowOnAir()) return;
    void detectEncoder()
      .then((detection) =>
        capacity.answer({ timeline: store.timelines.get(timelineId).document.timeline }, detection.encoder, {
          measure: true,
          priority: 'background',
        }),
      )
      .catch((error: unknown) =>
        log.warn({ err: String(error) }, 'capacity: measuring ahead of a window failed'),
      );
  },
});
// Not awaited: a window on now goes through the pre-flight checks while the API starts listening.
void scheduler.start();

// The venue website's live picture, player and scheduled push (issue 17), each off until turned on.
const website = createWebsiteOutputs({
  settings: store.settings,
  picture: () => shows.programPicture(),
  alerts: alerting.center,
  logger: createLogger('website'),
});
website.pusher.start();
// Issue 17, the daily time-lapse: snapshots of the program while on air, encoded at idle priority
// into the recordings folder (under its quota), never while the show is under pressure.
const timelapses = new TimelapseService({
  dataDir: config.dataDir,
  recordingsFolder: config.recordings.folder,
  clock: systemClock,
  logger: createLogger('timelapse'),
  timeZone,
  settings: () => timelapseSettings(store.settings.get<unknown>(TIMELAPSE_SETTING, null)),
  // The operator's shows only: the demo's generated cameras are no venue's day.
  picture: () => (shows.current && !isDemo(shows.current) ? (shows.programPicture()?.picture ?? null) : null),
  pressure: () => timelapsePressure(shows.liveState().show?.quality ?? null, systemClock.wallNow()),
  diskHasRoom: () => housekeeper.disk()?.level !== 'full',
  afterEncode: () => void housekeeper.sweep('a time-lapse was made'),
});
timelapses.start();

const app = await buildApp({
  store,
  dataDir: config.dataDir,
  shows,
  alerts: alerting.center,
  maxUploadBytes: config.maxUploadBytes,
  // Over HTTPS the session cookie never travels in clear.
  secureCookies: config.secureCookies || tls !== null,
  ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
  hosts,
  trustedProxies: config.trustedProxies,
  logger: createLogger('api'),
  webRoot: config.webRoot,
  youtubeEndpoints: config.youtube,
  timelapses,
  schedules: {
    reload: () => scheduler.reload(),
    onAirScheduleId: () => scheduler.onAirScheduleId(),
    timeZone,
  },
  onSettingChanged: (key, value) => {
    if (key === TIMEZONE_SETTING || key === POSITION_SETTING) void scheduler.reload();
    // A webhook saved in the settings applies at once (VISTTER_ALERT_WEBHOOK_URL, if set, wins).
    if (key === ALERT_WEBHOOK_SETTING && !webhookUrl) alerting.configureWebhook(value);
    website.settingChanged(key);
  },
  website,
});
const address = await app.listen({ host: config.host, port: tls ? config.httpsPort : config.port });
const listeningPort = (app.server.address() as AddressInfo).port;
// Serving HTTPS: the plain HTTP port only redirects to it (old bookmarks, a typed address).
const redirect = tls
  ? await listenForHttpsRedirects({
      host: config.host,
      port: config.port,
      httpsPort: listeningPort,
      policy: hosts,
    })
  : null;
// The appliance's own certificate is looked at daily while it runs; a new one is served at once.
const renewal =
  tls && !config.tlsFiles
    ? renewDaily({
        clock: systemClock,
        check: () =>
          serverCertificate({
            tlsFiles: null,
            dataDir: config.dataDir,
            names: hosts.names(),
            nowMs: systemClock.wallNow(),
          }),
        renewed: (material) => {
          (app.server as unknown as TlsServer).setSecureContext({ key: material.key, cert: material.cert });
          logCertificate(material);
        },
        failed: (error) => log.error({ err: error }, 'HTTPS: the daily look at the certificate failed'),
      })
    : null;
// Listening on every interface: also name the addresses the venue's network reaches it at.
const ownName = normalizeHost(hostname());
const lan =
  config.host === '0.0.0.0'
    ? [
        ...(ownName && isIP(ownName) === 0 ? [`${ownName.split('.')[0]}.local`] : []),
        ...Object.values(networkInterfaces())
          .flat()
          .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
          .map((i) => i!.address),
      ].map((host) => `${tls ? 'https' : 'http'}://${host}:${listeningPort}/`)
    : [];
console.error(
  `VistterStream control room: ${address}/  (API reference: ${address}/api/docs)` +
    (lan.length > 0 ? `\n  On the network: ${lan.join('  ')}` : '') +
    (redirect ? `\n  Plain HTTP on port ${(redirect.address() as AddressInfo).port} redirects here.` : '') +
    (tls ? `\n${describeCertificate(tls).join('\n')}` : '') +
    (store.users.count() === 0 ? '\n  First run: open it and choose the admin password.' : ''),
);

/** The certificate to serve (logged with its fingerprint), or a clear sentence and exit 1. */
async function certificateOrExit() {
  try {
    const material = await serverCertificate({
      tlsFiles: config.tlsFiles,
      dataDir: config.dataDir,
      names: hosts.names(),
      nowMs: systemClock.wallNow(),
    });
    logCertificate(material);
    return material;
  } catch (error) {
    if (!(error instanceof TlsError)) throw error;
    console.error(`VistterStream cannot serve HTTPS: ${error.message}.`);
    process.exit(1);
  }
}

function logCertificate(material: TlsMaterial): void {
  log.info(
    {
      certificate: material.certPath,
      fingerprint256: material.fingerprint256,
      names: [...material.names.dns, ...material.names.ips],
      validTo: material.validTo.toISOString(),
      origin: material.origin,
      ...(material.reason ? { reason: material.reason } : {}),
    },
    material.origin === 'made' ? 'HTTPS: made a new certificate' : 'HTTPS: certificate loaded',
  );
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  scheduler.close(); // the show it stops now is started again at the next boot
  const current = shows.current;
  await shows.shutdown();
  if (current) {
    const outcome = await current.finished;
    console.error(
      `VistterStream: show "${current.timeline.name}" ${outcome.status} (execution ${current.executionId}).`,
    );
  }
  renewal?.stop();
  website.close();
  await app.close();
  redirect?.close();
  await stopAllSupervised();
  children?.close();
  timelapses.close();
  housekeeper.close();
  healthSampler.stop();
  alerting.close();
  store.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
