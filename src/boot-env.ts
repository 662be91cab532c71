// Imported first by main.ts: fills the environment from the config file before any other module
// reads its variable (the logger reads VISTTER_LOG_LEVEL as it loads), and refuses a bad
// configuration with one clear line instead of a stack trace.
import { applyConfigFile, ConfigError, loadConfig } from './config.ts';

try {
  applyConfigFile(process.env);
  loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`VistterStream: ${error.message}`);
  process.exit(1);
}
