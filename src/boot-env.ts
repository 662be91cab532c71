// Imported first by main.ts: loads and validates the configuration once (the environment over the
// config file), refusing a bad one with one clear line instead of a stack trace, and sets the
// logs' level from it before the appliance's modules log. Then it makes everything the process
// (and its ffmpeg children: recordings, preview) creates private to the service's user, and the
// data folder made before that rule private too, before the database opens. main.ts takes the
// configuration from here as a value.
import { ConfigError, loadConfig, type AppConfig } from './config.ts';
import { configureLogging } from './core/logger.ts';
import { secureDataDir } from './store/database.ts';

/** New files 0600, new folders 0700: the data folder holds sealed secrets and their key. */
export const PRIVATE_UMASK = 0o077;

function configurationOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`VistterStream: ${error.message}`);
    process.exit(1);
  }
}

/** The appliance's configuration, loaded once for the whole process. */
export const config = configurationOrExit();
configureLogging(config);
process.umask(PRIVATE_UMASK);
try {
  secureDataDir(config.dataDir);
} catch (error) {
  // Not fatal: the show must start; the reason is printed plainly, beside the start-up lines.
  console.error(
    `VistterStream: could not make the data folder ${config.dataDir} private: ${(error as Error).message}`,
  );
}
