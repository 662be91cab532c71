// A real RTMP server for process and end-to-end tests: nginx + libnginx-mod-rtmp on 127.0.0.1,
// one process (`daemon off; master_process off`), everything (config, logs, pid, recordings)
// in its own temp dir. `record all` keeps what arrived so tests can ffprobe it.
import type { ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  hasExited,
  signalGroup,
  spawnGroup,
  stopGroup,
  tail,
  waitFor,
  waitForPort,
} from './proc.ts';

const NGINX = process.env.VISTTER_TEST_NGINX ?? 'nginx';
const MODULE_CANDIDATES = [
  process.env.VISTTER_TEST_RTMP_MODULE,
  '/usr/lib/nginx/modules/ngx_rtmp_module.so',
  '/usr/lib64/nginx/modules/ngx_rtmp_module.so',
  '/usr/local/lib/nginx/modules/ngx_rtmp_module.so',
];

export interface RtmpServerOptions {
  /** RTMP applications (the first path segment). Default ['live']. */
  apps?: string[];
  /** `record all` for every app into <dir>/rec/<app>/. Default true. */
  record?: boolean;
  /** One file per publish (key-<unix time>.flv) rather than key.flv overwritten. Default true. */
  recordUnique?: boolean;
  /** Fixed port; default: a free one chosen by the OS. */
  port?: number;
  startTimeoutMs?: number;
}

export interface RtmpStream {
  app: string;
  name: string;
  /** Someone is publishing this stream right now. */
  publishing: boolean;
  /** Connected clients (publisher + players). */
  clients: number;
  bytesIn: number;
  width?: number;
  height?: number;
  videoCodec?: string;
  audioCodec?: string;
}

export interface RtmpServer {
  port: number;
  /** Loopback HTTP port serving rtmp_stat XML at /stat. */
  statPort: number;
  /** Temp dir with nginx.conf, error.log and rec/<app>/ recordings. */
  dir: string;
  /** PID of the current nginx process (changes on restart). */
  readonly pid: number;
  readonly running: boolean;
  /** rtmp://127.0.0.1:PORT/<app>/<key>. */
  url(app?: string, key?: string): string;
  /** Recorded .flv files (absolute paths, oldest first) of one app, or of every app. */
  recordings(app?: string): string[];
  /** Streams nginx currently knows about (from rtmp_stat). */
  streams(): Promise<RtmpStream[]>;
  /** Polls rtmp_stat until `app/key` is being published. */
  waitForPublisher(app: string, key: string, timeoutMs?: number): Promise<RtmpStream>;
  /** Polls rtmp_stat until nobody publishes `app/key` (then its recording is complete). */
  waitForNoPublisher(app: string, key: string, timeoutMs?: number): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is read (a hung destination). */
  pause(): void;
  resume(): void;
  /** Stops nginx (SIGTERM, SIGKILL after 2 s); recordings stay. */
  stop(): Promise<void>;
  /** Starts nginx again on the same port after stop(). */
  start(): Promise<void>;
  /** stop(), wait `downMs`, start() — on the same port. */
  restart(downMs?: number): Promise<void>;
  /** stop() and delete the temp dir. */
  destroy(): Promise<void>;
  /** Tail of nginx's error log and stderr (for assertion messages). */
  log(): string;
}

function findModule(): string {
  for (const candidate of MODULE_CANDIDATES) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'ngx_rtmp_module.so not found: install libnginx-mod-rtmp (scripts/install-system-deps.sh --with-test-tools)',
  );
}

function renderConfig(
  dir: string,
  port: number,
  statPort: number,
  apps: string[],
  record: boolean,
  unique: boolean,
): string {
  const applications = apps
    .map((app) => {
      const recording = record
        ? `record all; record_path ${join(dir, 'rec', app)}; record_unique ${unique ? 'on' : 'off'};`
        : 'record off;';
      return `    application ${app} { live on; ${recording} }`;
    })
    .join('\n');
  const temp = (name: string): string => join(dir, 'tmp', name);
  return `load_module ${findModule()};
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    ping 10s;
    ping_timeout 5s;
${applications}
  }
}
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${statPort};
    location /stat { rtmp_stat all; }
  }
}
`;
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Parses nginx-rtmp's rtmp_stat XML into a flat stream list. */
export function parseRtmpStat(xml: string): RtmpStream[] {
  const out: RtmpStream[] = [];
  for (const application of xml.split('<application>').slice(1)) {
    const app = tag(application, 'name') ?? '';
    for (const block of application.split('<stream>').slice(1)) {
      const body = block.split('</stream>')[0] ?? '';
      const stream: RtmpStream = {
        app,
        name: tag(body, 'name') ?? '',
        publishing: /<publishing\s*\/>/.test(body),
        clients: Number(tag(body, 'nclients') ?? 0),
        bytesIn: Number(tag(body, 'bytes_in') ?? 0),
      };
      const video = /<video>([\s\S]*?)<\/video>/.exec(body)?.[1];
      const audio = /<audio>([\s\S]*?)<\/audio>/.exec(body)?.[1];
      if (video) {
        const width = tag(video, 'width');
        const height = tag(video, 'height');
        const codec = tag(video, 'codec');
        if (width) stream.width = Number(width);
        if (height) stream.height = Number(height);
        if (codec) stream.videoCodec = codec;
      }
      const audioCodec = audio ? tag(audio, 'codec') : undefined;
      if (audioCodec) stream.audioCodec = audioCodec;
      out.push(stream);
    }
  }
  return out;
}

/** Starts nginx-rtmp on 127.0.0.1 and resolves once its RTMP port accepts connections. */
export async function startRtmpServer(options: RtmpServerOptions = {}): Promise<RtmpServer> {
  const apps = options.apps ?? ['live'];
  const record = options.record ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'vistter-rtmp-'));
  for (const sub of ['tmp', ...apps.map((app) => join('rec', app))])
    mkdirSync(join(dir, sub), { recursive: true });
  const port = options.port ?? (await freePort());
  let statPort = await freePort();
  while (statPort === port) statPort = await freePort();
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  writeFileSync(confPath, renderConfig(dir, port, statPort, apps, record, options.recordUnique ?? true));

  let child: ChildProcess | undefined;
  let stderr: () => string = () => '';

  const readLog = (): string => {
    let text = '';
    try {
      text = readFileTail(errorLog);
    } catch {
      // no log yet
    }
    return `${text}\n${stderr()}`.trim();
  };

  const start = async (): Promise<void> => {
    if (child && !hasExited(child)) return;
    // -e: nginx opens its error log before reading the config; keep it out of /var/log.
    const started = spawnGroup(NGINX, ['-p', dir, '-c', confPath, '-e', errorLog]);
    child = started;
    stderr = tail(started.stderr);
    started.stdout?.resume();
    try {
      await waitForPort(port, started, options.startTimeoutMs ?? 10_000);
    } catch (error) {
      await stopGroup(started, 'SIGKILL');
      throw new Error(`nginx-rtmp did not start on port ${port}: ${(error as Error).message}\n${readLog()}`, {
        cause: error,
      });
    }
  };

  const stop = async (): Promise<void> => {
    if (child) await stopGroup(child, 'SIGTERM', 2000);
  };

  const streams = async (): Promise<RtmpStream[]> => {
    const response = await fetch(`http://127.0.0.1:${statPort}/stat`);
    return parseRtmpStat(await response.text());
  };

  await start();

  return {
    port,
    statPort,
    dir,
    get pid() {
      return child?.pid ?? 0;
    },
    get running() {
      return child !== undefined && !hasExited(child);
    },
    url: (app = apps[0]!, key = 'test') => `rtmp://127.0.0.1:${port}/${app}/${key}`,
    recordings(app?: string) {
      const dirs = app === undefined ? apps : [app];
      return dirs
        .flatMap((a) => {
          const folder = join(dir, 'rec', a);
          return existsSync(folder)
            ? readdirSync(folder)
                .filter((f) => f.endsWith('.flv'))
                .map((f) => join(folder, f))
            : [];
        })
        .map((path) => ({ path, mtime: statSync(path).mtimeMs }))
        .sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path))
        .map((entry) => entry.path);
    },
    streams,
    async waitForPublisher(app, key, timeoutMs = 10_000) {
      return await waitFor(
        async () => (await streams()).find((s) => s.app === app && s.name === key && s.publishing),
        { timeoutMs, intervalMs: 100, what: `a publisher on ${app}/${key}` },
      );
    },
    async waitForNoPublisher(app, key, timeoutMs = 10_000) {
      await waitFor(
        async () => !(await streams()).some((s) => s.app === app && s.name === key && s.publishing),
        {
          timeoutMs,
          intervalMs: 100,
          what: `no publisher on ${app}/${key}`,
        },
      );
    },
    pause: () => {
      if (child) signalGroup(child, 'SIGSTOP');
    },
    resume: () => {
      if (child) signalGroup(child, 'SIGCONT');
    },
    stop,
    start,
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

function readFileTail(path: string, max = 4000): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(Math.min(size, max));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, Math.max(0, size - buffer.length));
  } finally {
    closeSync(fd);
  }
  return buffer.toString();
}
