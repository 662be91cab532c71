// The appliance entry point: wires configuration, store and engine. With no cameras configured
// it runs the demo show (generated test cameras → local recording + HLS preview) so a newcomer
// sees it work in one command.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.ts';
import { createLogger } from './core/logger.ts';
import { Engine, type CameraFeed } from './engine/engine.ts';
import { killAllSupervised, stopAllSupervised } from './process/supervisor.ts';
import { openStore } from './store/store.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_TIMELINE = join(REPO_ROOT, 'demo', 'marina-demo.json');
const DEMO_DOC_ID = 'demo_marina';

const log = createLogger('main');
// Whatever happens, never leave a decoder or encoder behind (by process group, never by name).
process.on('exit', () => killAllSupervised());

const config = loadConfig();
const store = openStore({ dataDir: config.dataDir });
if (store.timelines.list().length === 0) {
  const { id } = store.timelines.create(JSON.parse(readFileSync(DEMO_TIMELINE, 'utf8')));
  log.info({ timelineId: id }, 'first start: imported the demo timeline');
}
const demo = store.timelines.list().find((t) => t.doc_id === DEMO_DOC_ID);
const cameraCount = store.cameras.list().length;

if (cameraCount > 0 || !demo) {
  console.error(
    `VistterStream: ${cameraCount} camera(s), ${store.timelines.list().length} timeline(s) in ${config.dataDir}.\n` +
      'Run a show with: bin/vistter show run <timeline.json> --camera 1=rtsp://… --dest rtmp://…',
  );
  store.close();
} else {
  const timeline = store.timelines.export(demo.id).timeline;
  store.close();
  const previewDir = join(config.dataDir, 'preview');
  const recordPath = join(
    config.dataDir,
    'recordings',
    `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.mp4`,
  );
  mkdirSync(previewDir, { recursive: true });
  mkdirSync(join(config.dataDir, 'recordings'), { recursive: true });
  const cameras = new Map<number, CameraFeed>([
    [
      1,
      { kind: 'generated', name: 'demo camera 1', pattern: 'testsrc2', label: 'Demo camera 1 - Wharfside' },
    ],
    [
      2,
      {
        kind: 'generated',
        name: 'demo camera 2',
        pattern: 'smptehdbars',
        label: 'Demo camera 2 - Fuel pier',
      },
    ],
  ]);
  const engine = await Engine.create({
    timeline,
    cameras,
    destinations: [],
    previewDir,
    recordPath,
    mediaRoot: REPO_ROOT,
    encoder: { preset: 'veryfast', bitrateKbps: 2500 },
  });
  engine.start();
  console.error(
    [
      `VistterStream demo show is on air: "${timeline.name}" (two generated test cameras, looping).`,
      `  Preview (HLS):  ${join(previewDir, 'index.m3u8')}   e.g. ffplay ${join(previewDir, 'index.m3u8')}`,
      `  Recording:      ${recordPath}   (about 1.1 GB per hour)`,
      '  Ctrl-C stops the show.',
    ].join('\n'),
  );
  const stop = async () => {
    log.info('stopping the demo show');
    await engine.stop();
    await stopAllSupervised();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
