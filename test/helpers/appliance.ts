// The appliance as a user runs it: `src/main.ts` in its own process group, listening on
// 127.0.0.1 (a free port), and an HTTP/WebSocket client that signs in like the web UI does.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnGroup, stopGroup, waitFor } from './proc.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Appliance {
  child: ChildProcess;
  /** http://127.0.0.1:PORT (https:// with HTTPS on) */
  url: string;
  output(): string;
  /** SIGTERM (a graceful stop), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export function applianceEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    VISTTER_DATA_DIR: dataDir,
    VISTTER_SECRET_KEY: randomBytes(32).toString('base64'),
    VISTTER_HOST: '127.0.0.1',
    VISTTER_PORT: '0',
    // Plain HTTP, as behind a TLS proxy: the clients here speak http:// (test/e2e/api/https.test.ts
    // starts it with HTTPS, the default).
    VISTTER_TLS: '0',
    VISTTER_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts the appliance and waits for its "control room" line. */
export async function startAppliance(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Appliance> {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'main.ts')], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = () => chunks.join('');
  const url = await waitFor(() => /control room: (https?:\/\/127\.0\.0\.1:\d+)\//.exec(output())?.[1], {
    timeoutMs,
    what: `the appliance to listen (output so far: ${output().slice(-2000)})`,
  });
  return { child, url, output, stop: (graceMs = 15_000) => stopGroup(child, 'SIGTERM', graceMs) };
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Talks to the API with the session cookie and CSRF token, like the web UI. */
export class ApplianceClient {
  private cookie = '';
  private csrf = '';
  constructor(readonly url: string) {}

  /** First run: creates the admin and keeps the session. */
  async setup(username = 'admin', password = 'correct horse battery'): Promise<void> {
    const answer = await this.request('POST', '/api/auth/setup', { username, password });
    if (answer.status !== 201)
      throw new Error(`setup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { cookie: this.cookie, 'x-csrf-token': this.csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await response.text();
    const parsed =
      text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : (text as T);
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed && typeof parsed.csrfToken === 'string')
      this.csrf = parsed.csrfToken;
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Opens the telemetry WebSocket with the session cookie. */
  live(onMessage: (message: unknown) => void): Promise<WebSocket> {
    const socket = new WebSocket(`${this.url.replace('http', 'ws')}/api/live`, {
      headers: { cookie: this.cookie },
    });
    socket.on('message', (data: Buffer) => onMessage(JSON.parse(data.toString())));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  }
}
