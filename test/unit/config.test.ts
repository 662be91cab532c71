// Configuration: environment variables over the config file over the defaults; unknown keys and
// bad values refused with a message naming the key.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyConfigFile, CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config.ts';
import { tempDir } from '../helpers/temp.ts';

describe('configuration: environment and config file', () => {
  const dir = tempDir('vistter-config-');
  after(() => dir.cleanup());
  let n = 0;
  const file = (content: unknown) => {
    const path = join(dir.path, `config-${n++}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const refused = (env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
    );

  it('defaults without a file or variables', () => {
    const config = loadConfig({ VISTTER_DATA_DIR: join(dir.path, 'empty') });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.secureCookies, false);
    assert.equal(config.timeZone, null);
    assert.equal(config.configFile, null);
  });

  it('reads the file named by VISTTER_CONFIG; the environment wins over it', () => {
    const path = file({
      port: 9090,
      host: '127.0.0.1',
      secureCookies: true,
      timeZone: 'Europe/London',
      dataDir: '/var/lib/vistterstream',
    });
    const fromFile = loadConfig({ VISTTER_CONFIG: path });
    assert.equal(fromFile.port, 9090);
    assert.equal(fromFile.host, '127.0.0.1');
    assert.equal(fromFile.secureCookies, true);
    assert.equal(fromFile.timeZone, 'Europe/London');
    assert.equal(fromFile.dataDir, '/var/lib/vistterstream');
    assert.equal(fromFile.configFile, path);
    const overridden = loadConfig({
      VISTTER_CONFIG: path,
      VISTTER_PORT: '8181',
      VISTTER_TZ: 'America/New_York',
    });
    assert.equal(overridden.port, 8181);
    assert.equal(overridden.timeZone, 'America/New_York');
    assert.equal(overridden.host, '127.0.0.1', 'the rest still from the file');
  });

  it('finds <data folder>/config.json by itself', () => {
    const dataDir = join(dir.path, 'data-with-config');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ port: 7070 }));
    assert.equal(loadConfig({ VISTTER_DATA_DIR: dataDir }).port, 7070);
  });

  it('applyConfigFile fills only the variables not set, so every module sees the file', () => {
    const path = file({ logLevel: 'warn', maxUploadMb: 64, port: 9000, secretKey: 'c2VjcmV0' });
    const env: NodeJS.ProcessEnv = { VISTTER_CONFIG: path, VISTTER_PORT: '1234' };
    assert.equal(applyConfigFile(env), path);
    assert.equal(env['VISTTER_LOG_LEVEL'], 'warn');
    assert.equal(env['VISTTER_MAX_UPLOAD_MB'], '64');
    assert.equal(env['VISTTER_SECRET_KEY'], 'c2VjcmV0');
    assert.equal(env['VISTTER_PORT'], '1234', 'the environment wins');
  });

  it('refuses unknown keys, naming them and the known ones', () => {
    refused({ VISTTER_CONFIG: file({ prot: 8080 }) }, /unknown key "prot" \(known: dataDir, .*port/);
  });

  it('refuses bad values, naming the key', () => {
    refused({ VISTTER_CONFIG: file({ port: 70000 }) }, /"port"/);
    refused({ VISTTER_CONFIG: file({ port: '8080' }) }, /"port"/);
    refused({ VISTTER_CONFIG: file({ secureCookies: 'yes' }) }, /"secureCookies"/);
    refused({ VISTTER_CONFIG: file({ timeZone: 'Mars/Olympus' }) }, /"timeZone" must be a time zone name/);
    refused({ VISTTER_CONFIG: file({ logLevel: 'loud' }) }, /"logLevel"/);
    refused({ VISTTER_CONFIG: file({ alertWebhookUrl: 'ftp://x' }) }, /"alertWebhookUrl"/);
    refused({ VISTTER_CONFIG: file({ maxUploadMb: -1 }) }, /"maxUploadMb"/);
    refused({ VISTTER_CONFIG: file('{"port": 80,') }, /not valid JSON/);
    refused({ VISTTER_CONFIG: file('[1]') }, /not valid/);
    refused(
      { VISTTER_CONFIG: join(dir.path, 'missing.json') },
      /VISTTER_CONFIG names .*missing\.json, which does not exist/,
    );
  });

  it('refuses bad environment values, naming the variable', () => {
    const base = { VISTTER_DATA_DIR: join(dir.path, 'empty') };
    refused({ ...base, VISTTER_PORT: 'eighty' }, /VISTTER_PORT must be a port number/);
    refused({ ...base, VISTTER_PORT: '' }, /VISTTER_PORT/);
    refused({ ...base, VISTTER_TZ: 'Nowhere/City' }, /VISTTER_TZ must be a time zone name/);
    refused({ ...base, VISTTER_LOG_LEVEL: 'verbose' }, /VISTTER_LOG_LEVEL must be one of/);
    refused({ ...base, VISTTER_SECURE_COOKIES: 'true' }, /VISTTER_SECURE_COOKIES must be 1/);
    refused({ ...base, VISTTER_MAX_UPLOAD_MB: '0' }, /VISTTER_MAX_UPLOAD_MB/);
  });

  it('every key has its VISTTER_ variable', () => {
    assert.ok(CONFIG_KEYS.length >= 10);
    for (const { env } of CONFIG_KEYS) assert.match(env, /^VISTTER_[A-Z_]+$/);
  });
});
