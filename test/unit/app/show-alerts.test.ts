// A show's alerts end with it: what it left open is cleared at its end, and only that.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShowAlerts } from '../../../src/app/show-alerts.ts';
import type { EngineAlerts } from '../../../src/engine/engine-alerts.ts';

function recordingSink(): EngineAlerts & { open: Set<string>; log: string[] } {
  const open = new Set<string>();
  const log: string[] = [];
  return {
    open,
    log,
    raise(alert) {
      open.add(alert.key);
      log.push(`raise ${alert.key}`);
    },
    clear(key) {
      open.delete(key);
      log.push(`clear ${key}`);
    },
  };
}

const alert = (key: string) => ({
  key,
  severity: 'warning' as const,
  code: 'CAMERA_OFFLINE' as const,
  message: 'm',
  remediation: 'r',
});

describe('ShowAlerts', () => {
  it('clears at the end what the show left open, not what it cleared itself or others raised', () => {
    const sink = recordingSink();
    sink.raise(alert('other:1'));
    const show = new ShowAlerts(sink);
    show.raise(alert('camera:1:offline'));
    show.raise(alert('quality:degraded'));
    show.raise(alert('camera:1:offline')); // a repeat is one alert
    show.clear('quality:degraded');
    assert.equal(show.clearAll(), 1);
    assert.deepEqual([...sink.open], ['other:1']);
    assert.equal(sink.log.filter((l) => l === 'clear camera:1:offline').length, 1);
    assert.equal(show.clearAll(), 0, 'nothing twice');
  });
});
