// Configuration as a value (issue 15, item 5): src/config.ts is the only module that reads the
// process environment, nothing writes to it, the settings the rest of the appliance used to read
// for itself arrive in the loaded value, and the calendar code sits on the ground floor.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { configureLogging, createLogger } from '../../src/core/logger.ts';
import { tempDir } from '../helpers/temp.ts';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('configuration as a value', () => {
  const dir = tempDir('vistter-config-value-');
  after(() => dir.cleanup());
  const base = { VISTTER_DATA_DIR: join(dir.path, 'data') };

  it('only src/config.ts reads process.env, and it never assigns to it', () => {
    const files = sourceFiles(SRC);
    assert.ok(files.length > 50, `found only ${files.length} source files under ${SRC}`);
    const readers = files
      .filter((file) => /\bprocess\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    assert.deepEqual(readers, ['config.ts']);
    const config = readFileSync(join(SRC, 'config.ts'), 'utf8');
    assert.doesNotMatch(config, /process\.env(\[[^\]]+\]|\.\w+)?\s*(=(?!=)|\?\?=|\|\|=)/);
    assert.doesNotMatch(config, /Object\.assign\(\s*process\.env/);
  });

  it('the calendar imports nothing of ours: config, store, domain and API can use it', () => {
    const calendar = readFileSync(join(SRC, 'core', 'calendar.ts'), 'utf8');
    assert.doesNotMatch(calendar, /^import .* from '\.{1,2}\//m);
    for (const file of [
      'config.ts',
      'domain/schedule.ts',
      'store/repositories/schedules.ts',
      'api/routes/records.ts',
    ])
      assert.doesNotMatch(
        readFileSync(join(SRC, file), 'utf8'),
        /scheduler\//,
        `${file} imports the scheduler`,
      );
  });

  it('loading leaves the given environment as it was (the file is not written back into it)', () => {
    const path = join(dir.path, 'config.json');
    writeFileSync(path, JSON.stringify({ port: 9000, logLevel: 'warn', secretKey: 'c2VjcmV0' }));
    const env = { ...base, VISTTER_CONFIG: path };
    const before = { ...env };
    loadConfig(env);
    assert.deepEqual(env, before);
  });

  it('carries the settings modules used to read themselves: log level, secret key, upload limit, webhook', () => {
    const defaults = loadConfig({ ...base, NODE_ENV: 'production' });
    assert.equal(defaults.logLevel, 'info');
    assert.equal(defaults.secretKey, null);
    assert.equal(defaults.maxUploadBytes, 500 * 1024 * 1024);
    assert.equal(defaults.alertWebhookUrl, null);
    assert.equal(loadConfig({ ...base, NODE_ENV: 'test' }).logLevel, 'silent', 'tests are quiet by default');

    const path = join(dir.path, 'settings.json');
    writeFileSync(
      path,
      JSON.stringify({
        logLevel: 'warn',
        secretKey: 'a2V5LWZyb20tZmlsZQ==',
        maxUploadMb: 64,
        alertWebhookUrl: 'https://hooks.example.org/a',
      }),
    );
    const fromFile = loadConfig({ ...base, VISTTER_CONFIG: path, NODE_ENV: 'test' });
    assert.equal(fromFile.logLevel, 'warn');
    assert.equal(fromFile.secretKey, 'a2V5LWZyb20tZmlsZQ==');
    assert.equal(fromFile.maxUploadBytes, 64 * 1024 * 1024);
    assert.equal(fromFile.alertWebhookUrl, 'https://hooks.example.org/a');

    const fromEnv = loadConfig({
      ...base,
      VISTTER_CONFIG: path,
      VISTTER_LOG_LEVEL: 'debug',
      VISTTER_SECRET_KEY: 'a2V5LWZyb20tZW52',
      VISTTER_MAX_UPLOAD_MB: '0.5',
      VISTTER_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
    });
    assert.equal(fromEnv.logLevel, 'debug');
    assert.equal(fromEnv.secretKey, 'a2V5LWZyb20tZW52');
    assert.equal(fromEnv.maxUploadBytes, 512 * 1024);
    assert.equal(fromEnv.alertWebhookUrl, 'http://127.0.0.1:9/hook');
  });

  it('one schema: a value the file may not hold is refused from the environment too, and the reverse', () => {
    const refusedBoth = (key: string, fileValue: unknown, env: string, text: string, rule: RegExp) => {
      const path = join(dir.path, `${key}.json`);
      writeFileSync(path, JSON.stringify({ [key]: fileValue }));
      assert.throws(
        () => loadConfig({ ...base, VISTTER_CONFIG: path }),
        (error: unknown) =>
          error instanceof ConfigError && new RegExp(`"${key}" ${rule.source}`).test(error.message),
      );
      assert.throws(
        () => loadConfig({ ...base, [env]: text }),
        (error: unknown) =>
          error instanceof ConfigError && new RegExp(`${env} ${rule.source}`).test(error.message),
      );
    };
    refusedBoth('alertWebhookUrl', 'ftp://x', 'VISTTER_ALERT_WEBHOOK_URL', 'ftp://x', /must be an http/);
    refusedBoth(
      'recordingsFileMinutes',
      0.5,
      'VISTTER_RECORDINGS_FILE_MINUTES',
      '0.5',
      /must be a number of minutes/,
    );
    refusedBoth('httpsPort', 70000, 'VISTTER_HTTPS_PORT', '70000', /must be a port number/);
    refusedBoth(
      'allowedHosts',
      ['ok.example', 'http://x/'],
      'VISTTER_ALLOWED_HOSTS',
      'ok.example,http://x/',
      /must be host names/,
    );
    refusedBoth('diskWarnMb', -1, 'VISTTER_DISK_WARN_MB', '-1', /must be a number/);
  });

  it('configureLogging sets the level of component loggers made before it', () => {
    const log = createLogger('config-boundary-test');
    assert.equal(log.isLevelEnabled('info'), false, 'quiet until configured');
    try {
      configureLogging({ logLevel: 'warn' });
      assert.equal(log.isLevelEnabled('warn'), true);
      assert.equal(log.isLevelEnabled('info'), false);
      assert.equal(log.child({ camera: 1 }).isLevelEnabled('warn'), true);
    } finally {
      configureLogging({ logLevel: 'silent' });
    }
    assert.equal(log.isLevelEnabled('warn'), false);
  });
});
