// The appliance entry point: wires configuration, store and (as they land) engine and API.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.ts';
import { createLogger } from './core/logger.ts';
import { openStore } from './store/store.ts';

const DEMO_TIMELINE = fileURLToPath(new URL('../demo/marina-demo.json', import.meta.url));

const log = createLogger('main');
const config = loadConfig();
const store = openStore({ dataDir: config.dataDir });
try {
  if (store.timelines.list().length === 0) {
    const { id } = store.timelines.create(JSON.parse(readFileSync(DEMO_TIMELINE, 'utf8')));
    log.info({ timelineId: id }, 'first start: imported the demo timeline');
  }
  const timelines = store.timelines.list();
  log.info(
    { dataDir: config.dataDir, database: store.path, timelines: timelines.length },
    'VistterStream store ready',
  );
  console.error(
    [
      `VistterStream is set up: data in ${config.dataDir}, ${timelines.length} timeline(s).`,
      ...timelines.map((t) => `  ${t.id}  ${t.name}  (${t.duration} s${t.loop ? ', loops' : ''})`),
      'Manage timelines with: bin/vistter timeline --help',
    ].join('\n'),
  );
} finally {
  store.close();
}
