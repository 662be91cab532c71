// Appliance configuration from the environment, with sane defaults (see README "Configuration").
import { resolve } from 'node:path';

export interface AppConfig {
  /** Folder for the database, the secret key, assets, recordings and the preview. */
  dataDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return { dataDir: resolve(env['VISTTER_DATA_DIR'] ?? 'data') };
}
