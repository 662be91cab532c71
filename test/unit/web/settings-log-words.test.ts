// The Settings page's time-zone picker words and the Log page's filters (pure parts of the UI).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeZone,
  filterZones,
  zoneLocalTime,
  zoneOffset,
  zonesNow,
} from '../../../web/src/pages/settings/time-zones.ts';
import {
  filtersFromSearch,
  remediationParts,
  searchOfFilters,
} from '../../../web/src/pages/log/log-filters.ts';

const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');

describe('time-zone picker words', () => {
  it('offset from UTC at that moment (summer time counts) and the local time', () => {
    assert.equal(zoneOffset('Europe/Berlin', WINTER), 'UTC+01:00');
    assert.equal(zoneOffset('Europe/Berlin', SUMMER), 'UTC+02:00');
    assert.equal(zoneOffset('UTC', WINTER), 'UTC+00:00');
    assert.equal(zoneOffset('Asia/Kolkata', WINTER), 'UTC+05:30');
    assert.equal(zoneOffset('America/New_York', WINTER), 'UTC-05:00');
    assert.equal(zoneLocalTime('Asia/Kolkata', WINTER), '17:30');
    assert.equal(
      describeZone('America/New_York', zonesNow(['America/New_York'], WINTER).get('America/New_York')!),
      'America/New York — UTC-05:00, now 07:00',
    );
  });

  it('search by words of the name (spaces for underscores) or by offset; the current zone stays', () => {
    const zones = ['America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Europe/London', 'UTC'];
    const at = zonesNow(zones, WINTER);
    const offsetOf = (zone: string) => at.get(zone)!.offset;
    assert.deepEqual(filterZones(zones, 'new york', offsetOf, null), ['America/New_York']);
    assert.deepEqual(filterZones(zones, 'EUROPE', offsetOf, null), ['Europe/Berlin', 'Europe/London']);
    assert.deepEqual(filterZones(zones, '+05:30', offsetOf, null), ['Asia/Kolkata']);
    assert.deepEqual(filterZones(zones, 'berlin', offsetOf, 'UTC'), ['UTC', 'Europe/Berlin']);
    assert.deepEqual(filterZones(zones, '', offsetOf, null), zones);
    assert.deepEqual(filterZones(zones, 'atlantis', offsetOf, null), []);
  });
});

describe('Log page filters and remediation links', () => {
  it('the filters round-trip through the address; unknown levels are dropped', () => {
    const filters = { level: 'warn' as const, text: ' encoder ', component: 'engine' };
    assert.equal(searchOfFilters(filters), 'level=warn&q=encoder&component=engine');
    assert.deepEqual(filtersFromSearch('?level=warn&q=encoder&component=engine'), {
      level: 'warn',
      text: 'encoder',
      component: 'engine',
    });
    assert.deepEqual(filtersFromSearch('?level=loud'), { level: '', text: '', component: '' });
    assert.equal(searchOfFilters({ level: '', text: '', component: '' }), '');
  });

  it('a remediation links its "Log (filter: …)" and "Settings → Encoder" to the pages that act on them', () => {
    assert.deepEqual(
      remediationParts(
        'Restart the show; if it fails again, look at the encoder lines in Log (filter: encoder).',
      ),
      [
        { text: 'Restart the show; if it fails again, look at the encoder lines in ' },
        { text: 'Log (filter: encoder)', to: '/log?q=encoder' },
        { text: '.' },
      ],
    );
    assert.deepEqual(remediationParts('Choose a faster encoder preset in Settings → Encoder, or lower it.'), [
      { text: 'Choose a faster encoder preset in ' },
      { text: 'Settings → Encoder', to: '/settings#encoder' },
      { text: ', or lower it.' },
    ]);
    assert.deepEqual(remediationParts('Nothing to follow.'), [{ text: 'Nothing to follow.' }]);
  });
});
