// Settings speak the user's words: every key has a label (one table for server and UI), a refused
// value says which setting in those words (never "alerts.webhook"), time zones are checked
// against the appliance's own list, and the encoder preset is one of the offered choices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ENCODER_PRESET_CHOICES,
  SETTING_KEYS,
  canonicalTimeZone,
  chosenEncoderPreset,
  isSupportedTimeZone,
  settingLabel,
} from '../../../src/domain/settings.ts';
import { withChosenPreset } from '../../../src/app/show-plan.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';

describe('settings labels', () => {
  it('every setting has a label in words, not its key', () => {
    for (const key of SETTING_KEYS) {
      const label = settingLabel(key);
      assert.match(label, /^The [a-z ]+$/, `${key}: ${label}`);
      assert.equal(label.includes('.'), false);
    }
    assert.equal(settingLabel('alerts.webhook'), 'The alert webhook address');
  });

  it('time zones: the IANA list and UTC, nothing else', () => {
    assert.equal(isSupportedTimeZone('Europe/Berlin'), true);
    assert.equal(isSupportedTimeZone('UTC'), true);
    assert.equal(isSupportedTimeZone('Mars/Olympus'), false);
    assert.equal(isSupportedTimeZone('Asia/Kolkata'), true, 'an alias of a listed zone');
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    assert.equal(isSupportedTimeZone(''), false);
  });

  it('the chosen encoder preset reaches the show request unless the request names its own', () => {
    const request = { timelineId: 1, destinationIds: [] };
    assert.deepEqual(withChosenPreset(request, 'veryfast'), { ...request, encoder: { preset: 'veryfast' } });
    assert.deepEqual(withChosenPreset(request, 'automatic'), request);
    assert.deepEqual(withChosenPreset(request, null), request);
    assert.deepEqual(withChosenPreset(request, 'placebo'), request, 'not an offered choice');
    const own = { ...request, encoder: { preset: 'medium', bitrateKbps: 3000 } };
    assert.deepEqual(withChosenPreset(own, 'ultrafast'), own);
    const bitrateOnly = { ...request, encoder: { bitrateKbps: 3000 } };
    assert.deepEqual(withChosenPreset(bitrateOnly, 'superfast'), {
      ...request,
      encoder: { bitrateKbps: 3000, preset: 'superfast' },
    });
    assert.equal(chosenEncoderPreset('automatic'), null);
  });
});

describe('PUT /api/settings/:key messages', () => {
  let api: ApiHarness;
  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(() => api.close());

  const refused = async (url: string, value: unknown) => {
    const response = await api.call('PUT', url, { value });
    assert.equal(response.statusCode, 400, response.body);
    return response.json() as { code: string; message: string; issues: { path: string; message: string }[] };
  };

  it('names the setting in words, with the reason, and keeps the field path for the form', async () => {
    const webhook = await refused('/api/settings/alerts.webhook', { url: 'ftp://hooks.example.com/x' });
    assert.match(webhook.message, /^The alert webhook address is not valid: must be a webhook URL/);
    assert.equal(webhook.issues[0]?.path, 'value.url');
    const zone = await refused('/api/settings/appliance.timezone', 'Mars/Olympus');
    assert.equal(zone.message, 'The time zone is not valid: must be a time zone name like Europe/London');
    const name = await refused('/api/settings/appliance.name', '  ');
    assert.equal(name.message, 'The appliance name is not valid: must not be empty');
    const preset = await refused('/api/settings/encoder.preset', 'placebo');
    assert.match(preset.message, /^The encoder preset is not valid: must be one of automatic, ultrafast/);
    for (const answer of [webhook, zone, name, preset])
      assert.doesNotMatch(answer.message, /alerts\.webhook|appliance\.|encoder\.preset/);
  });

  it('the appliance position: degrees in range, in words at each field; stored and answered', async () => {
    const south = await refused('/api/settings/appliance.position', { latitude: -91, longitude: 10 });
    assert.equal(
      south.message,
      'The appliance position is not valid: must be between -90 and 90 degrees (north positive, south negative)',
    );
    assert.equal(south.issues[0]?.path, 'value.latitude');
    const text = await refused('/api/settings/appliance.position', { latitude: 51, longitude: 'west' });
    assert.equal(text.issues[0]?.path, 'value.longitude');
    assert.equal(text.issues[0]?.message, 'must be a number of degrees like -0.01');
    const wrongShape = await refused('/api/settings/appliance.position', '51.48,-0.01');
    assert.match(wrongShape.message, /must be an object like \{"latitude": 51\.48, "longitude": -0\.01/);
    const extra = await refused('/api/settings/appliance.position', {
      latitude: 1,
      longitude: 2,
      altitude: 3,
    });
    assert.match(extra.message, /altitude/);
    const value = { latitude: -33.8688, longitude: 151.2093, place_name: 'Sydney' };
    const saved = await api.call('PUT', '/api/settings/appliance.position', { value });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual((await api.call('GET', '/api/settings')).json()['appliance.position'], value);
    assert.equal(
      (await api.call('PUT', '/api/settings/appliance.position', { value: null })).statusCode,
      200,
    );
  });

  it('stores a time zone by its listed name', async () => {
    const response = await api.call('PUT', '/api/settings/appliance.timezone', { value: 'europe/berlin' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(api.store.settings.all()['appliance.timezone'], 'Europe/Berlin');
  });

  it('stores every offered preset and answers it in GET /api/settings', async () => {
    for (const choice of ENCODER_PRESET_CHOICES) {
      const response = await api.call('PUT', '/api/settings/encoder.preset', { value: choice });
      assert.equal(response.statusCode, 200, response.body);
    }
    const settings = (await api.call('GET', '/api/settings')).json() as Record<string, unknown>;
    assert.equal(settings['encoder.preset'], 'medium');
  });

  it('what only a script gets wrong is refused in words too: unknown setting, wrong type, extra field', async () => {
    const unknown = await api.call('PUT', '/api/settings/encoder.speed', { value: 'fast' });
    assert.equal(unknown.statusCode, 400);
    const body = unknown.json() as { message: string; issues: { path: string; message: string }[] };
    assert.equal(body.message, 'the URL path is not valid');
    assert.deepEqual(body.issues, [{ path: 'params.key', message: 'is not a setting this appliance has' }]);
    const missing = await api.call('PUT', '/api/settings/appliance.name', {});
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /is missing \(send null to remove the setting\)/);
    const text = await refused('/api/settings/alerts.webhook', 'https://hooks.example.com/x');
    assert.match(text.message, /^The alert webhook address is not valid: must be an object like/);
    const extra = await refused('/api/settings/alerts.webhook', { url: 'https://hooks.example.com/x', x: 1 });
    assert.equal(
      extra.message,
      'The alert webhook address is not valid: has a field this setting does not take (x)',
    );
    const number = await refused('/api/settings/appliance.timezone', 5);
    assert.equal(number.message, 'The time zone is not valid: must be a time zone name like Europe/London');
    for (const answer of [text, extra, number]) assert.doesNotMatch(answer.message, /Invalid input|expected/);
  });
});
