// Imported first by main.ts: fills the environment from the config file before any other module
// reads its variable (the logger reads VISTTER_LOG_LEVEL as it loads), and refuses a bad
// configuration with one clear line instead of a stack trace. Then it makes everything the
// process (and its ffmpeg children: recordings, preview) creates private to the service's user,
// and the data folder made before that rule private too, before the database opens.
import { applyConfigFile, ConfigError, loadConfig } from './config.ts';
import { secureDataDir } from './store/database.ts';

/** New files 0600, new folders 0700: the data folder holds sealed secrets and their key. */
export const PRIVATE_UMASK = 0o077;

function configuredDataDir(): string {
  try {
    applyConfigFile(process.env);
    return loadConfig(process.env).dataDir;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`VistterStream: ${error.message}`);
    process.exit(1);
  }
}

const dataDir = configuredDataDir();
process.umask(PRIVATE_UMASK);
try {
  secureDataDir(dataDir);
} catch (error) {
  // Not fatal: the show must start; the reason is printed before the logger exists.
  console.error(
    `VistterStream: could not make the data folder ${dataDir} private: ${(error as Error).message}`,
  );
}
