// Appliance configuration from the environment, with sane defaults (see README "Configuration").
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILT_WEB_UI = join(fileURLToPath(new URL('..', import.meta.url)), 'web', 'dist');

export interface AppConfig {
  /** Folder for the database, the secret key, assets, recordings and the preview. */
  dataDir: string;
  /** Address the web UI and API listen on: every interface by default, so the venue's network
   *  reaches it; 127.0.0.1 keeps it to this machine. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Session cookies only over HTTPS (set when a TLS proxy fronts the appliance). */
  secureCookies: boolean;
  /** The built web UI (`npm run build:web` writes web/dist). */
  webRoot: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env['VISTTER_PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`VISTTER_PORT must be a port number (0–65535), got "${env['VISTTER_PORT']}"`);
  return {
    dataDir: resolve(env['VISTTER_DATA_DIR'] ?? 'data'),
    host: env['VISTTER_HOST'] ?? '0.0.0.0',
    port,
    secureCookies: env['VISTTER_SECURE_COOKIES'] === '1',
    webRoot: resolve(env['VISTTER_WEB_ROOT'] ?? BUILT_WEB_UI),
  };
}
