// The app layer's alert sentences about a show: codes, keys, and the words a venue manager reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  operatorQualityAlert,
  sessionRestartedAlert,
  showResumedAlert,
} from '../../../src/app/show-alert-messages.ts';

describe('show alert messages', () => {
  it('a planned new session names the platform’s limit, or the destination’s own', () => {
    const facebook = sessionRestartedAlert(
      { id: 3, name: 'Page', platform: 'facebook', max_session_hours: null },
      8,
      7 * 3_600_000 + 12 * 60_000,
    );
    assert.equal(facebook.code, 'DESTINATION_SESSION_RESTARTED');
    assert.equal(facebook.severity, 'info');
    assert.equal(facebook.key, 'destination:dest:3:session-restarted');
    assert.equal(facebook.source, 'destination:dest:3');
    assert.equal(
      facebook.message,
      'Destination "Page" started a new live session after 7 h 12 min (Facebook Live ends a live video after 8 h); ' +
        'the other destinations and the recording were not interrupted.',
    );
    assert.match(facebook.remediation, /Facebook shows the new session as a new live video/);

    const own = sessionRestartedAlert(
      { id: 4, name: 'Own', platform: 'custom', max_session_hours: 2 },
      2,
      20_000,
    );
    assert.match(own.message, /after 20 s \(its session limit is 2 h\)/);
    assert.match(own.remediation, /Viewers may see the stream pause/);
  });

  it('a crash resume says how long the show was off air, when that is known', () => {
    const execution = { id: 12, checkpoint_at: '2026-12-06T10:00:05.000Z', resume_count: 1 };
    const alert = showResumedAlert(execution, 'Marina', {
      position: '2:30',
      downSeconds: 300,
      resumedAtMs: Date.parse('2026-12-06T10:05:05.000Z'),
    });
    assert.equal(alert.code, 'SHOW_RESUMED');
    assert.equal(alert.severity, 'warning');
    assert.equal(alert.key, 'show:12:resumed:2');
    assert.equal(
      alert.message,
      'The appliance stopped during "Marina" and resumed it by itself at 2:30: the show was off air for about ' +
        '5 min (last on air at 10:00:05 UTC, back at 10:05:05 UTC).',
    );
    const unknown = showResumedAlert({ ...execution, checkpoint_at: null }, 'Marina', {
      position: '0:00',
      downSeconds: null,
      resumedAtMs: 0,
    });
    assert.match(unknown.message, /off air for an unknown time/);
  });

  it('the operator’s quality hold and its release, each its own history entry', () => {
    const words = (level: number) => ['1280×720 30 fps', '960×540 30 fps', '640×360 25 fps'][level] ?? '?';
    const held = operatorQualityAlert({ executionId: 5, change: 1, level: 2, words, was: 0, now: 2 });
    assert.equal(held.code, 'DEGRADED_MODE');
    assert.equal(held.key, 'show:5:quality:1');
    assert.equal(held.source, 'operator');
    assert.equal(
      held.message,
      'Quality held at 640×360 25 fps by the operator (was 1280×720 30 fps); degraded mode does not move it until it is set back to automatic.',
    );
    const released = operatorQualityAlert({ executionId: 5, change: 2, level: null, words, was: 2, now: 2 });
    assert.equal(released.key, 'show:5:quality:2');
    assert.equal(
      released.message,
      'Quality back to automatic (operator): degraded mode judges the show again, from 640×360 25 fps.',
    );
    assert.match(released.remediation, /^Nothing to do/);
  });
});
