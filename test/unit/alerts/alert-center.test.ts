import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import {
  AlertCenter,
  MemoryAlertSink,
  type AlertEvent,
  type AlertInput,
  type AlertNotifier,
  type AlertStore,
} from '../../../src/alerts/alert-center.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

const camera2: AlertInput = {
  key: 'camera:2:offline',
  severity: 'warning',
  code: 'CAMERA_OFFLINE',
  message: 'Camera 2 offline — switched to backup camera 3.',
  remediation: 'Check its power and network.',
  source: 'camera:2',
};

function captureLogs(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

class RecordingNotifier implements AlertNotifier {
  readonly events: AlertEvent[] = [];
  notify(event: AlertEvent): void {
    this.events.push(structuredClone(event));
  }
}

describe('AlertCenter on a real store', () => {
  const dir = tempDir();
  let store: Store;
  let clock: FakeClock;
  let notifier: RecordingNotifier;
  let logs: ReturnType<typeof captureLogs>;
  let center: AlertCenter;

  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });
  beforeEach(() => {
    store.db.exec('DELETE FROM alerts');
    clock = new FakeClock(Date.UTC(2026, 4, 1, 20, 0, 0));
    notifier = new RecordingNotifier();
    logs = captureLogs();
    center = new AlertCenter({ store: store.alerts, clock, logger: logs.logger, notifiers: [notifier] });
  });

  const rows = (): Array<Record<string, unknown>> =>
    store.db.prepare('SELECT * FROM alerts ORDER BY id').all() as Array<Record<string, unknown>>;

  it('persists, logs and notifies a raise once, however often the engine repeats it', () => {
    center.raise(camera2);
    clock.advance(1000);
    for (let tick = 0; tick < 100; tick++) center.raise(camera2);

    const [row, ...rest] = rows();
    assert.equal(rest.length, 0);
    assert.deepEqual(
      {
        key: row!['key'],
        severity: row!['severity'],
        message: row!['message'],
        remediation: row!['remediation'],
        source: row!['source'],
        created_at: row!['created_at'],
        updated_at: row!['updated_at'],
        cleared_at: row!['cleared_at'],
        acknowledged: row!['acknowledged'],
      },
      {
        key: 'camera:2:offline',
        severity: 'warning',
        message: 'Camera 2 offline — switched to backup camera 3.',
        remediation: 'Check its power and network.',
        source: 'camera:2',
        created_at: '2026-05-01T20:00:00.000Z',
        updated_at: null,
        cleared_at: null,
        acknowledged: 0,
      },
    );
    assert.equal(notifier.events.length, 1);
    assert.equal(notifier.events[0]!.event, 'alert.raised');
    assert.equal(notifier.events[0]!.alert.id, row!['id']);

    const raised = logs.lines.filter((l) => l['event'] === 'alert.raised');
    assert.equal(raised.length, 1);
    assert.equal(raised[0]!['level'], 40, 'a warning alert logs at warn');
    assert.deepEqual(raised[0]!['alert'], {
      id: row!['id'],
      key: 'camera:2:offline',
      severity: 'warning',
      code: 'CAMERA_OFFLINE',
      source: 'camera:2',
    });
    assert.equal(
      raised[0]!['msg'],
      'Camera 2 offline — switched to backup camera 3. Check its power and network.',
    );
  });

  it('a changed message updates the open alert and notifies again; clear records the time', () => {
    center.raise(camera2);
    clock.advance(4000);
    center.raise({
      ...camera2,
      severity: 'error',
      message: 'Camera 2 offline — backup camera 3 offline too, showing the slate.',
    });
    clock.advance(60_000);
    center.clear('camera:2:offline');
    center.clear('camera:2:offline');
    center.clear('camera:9:offline');

    const [row, ...rest] = rows();
    assert.equal(rest.length, 0);
    assert.equal(row!['severity'], 'error');
    assert.equal(row!['message'], 'Camera 2 offline — backup camera 3 offline too, showing the slate.');
    assert.equal(row!['updated_at'], '2026-05-01T20:00:04.000Z');
    assert.equal(row!['cleared_at'], '2026-05-01T20:01:04.000Z');
    assert.deepEqual(
      notifier.events.map((e) => [e.event, e.alert.severity, e.alert.cleared_at]),
      [
        ['alert.raised', 'warning', null],
        ['alert.raised', 'error', null],
        ['alert.cleared', 'error', '2026-05-01T20:01:04.000Z'],
      ],
    );
    assert.deepEqual(center.open(), []);
    assert.deepEqual(center.counts(), { info: 0, warning: 0, error: 0, critical: 0 });

    // The condition comes back: a new alert, not the old row reopened.
    center.raise(camera2);
    assert.equal(rows().length, 2);
    assert.equal(center.open()[0]!.id, rows()[1]!['id']);
  });

  it('open(), recent(), counts() and acknowledge() for the API and health', () => {
    center.raise(camera2);
    center.raise({
      key: 'destination:1:failing',
      severity: 'critical',
      code: 'DESTINATION_FAILING',
      message: 'YouTube keeps refusing the stream.',
      remediation: 'Check the stream key in YouTube Studio.',
      source: 'destination:1',
    });
    center.clear('camera:2:offline');
    center.raise({ ...camera2, key: 'camera:4:offline', severity: 'error' });

    assert.deepEqual(
      center.open().map((a) => a.key),
      ['camera:4:offline', 'destination:1:failing'],
    );
    assert.deepEqual(
      center.recent(2).map((a) => a.key),
      ['camera:4:offline', 'destination:1:failing'],
    );
    assert.deepEqual(center.counts(), { info: 0, warning: 0, error: 1, critical: 1 });

    clock.advance(5000);
    const id = center.open()[0]!.id!;
    const acked = center.acknowledge(id);
    assert.equal(acked.acknowledged, true);
    assert.equal(acked.acknowledged_at, '2026-05-01T20:00:05.000Z');
    assert.equal(
      store.db.prepare('SELECT acknowledged FROM alerts WHERE id = ?').pluck().get(id),
      1,
      'stored',
    );
    // Acknowledged is not cleared: the condition still holds, and repeating it changes nothing.
    center.raise({ ...camera2, key: 'camera:4:offline', severity: 'error' });
    assert.equal(store.alerts.get(id).acknowledged, true);
    assert.deepEqual(center.counts(), { info: 0, warning: 0, error: 1, critical: 1 });
  });

  it('after a restart: repeats do not duplicate; clearCarriedOver ends what was not raised again', () => {
    center.raise(camera2);
    center.raise({ ...camera2, key: 'camera:5:offline', message: 'Camera 5 offline.' });
    const before = notifier.events.length;

    // The appliance restarts: a new alert center on the same database.
    const restarted = new RecordingNotifier();
    const again = new AlertCenter({
      store: store.alerts,
      clock,
      logger: logs.logger,
      notifiers: [restarted],
    });
    clock.advance(3000);
    again.raise(camera2); // still offline
    assert.equal(again.clearCarriedOver(), 1);

    assert.equal(notifier.events.length, before);
    assert.deepEqual(
      restarted.events.map((e) => [e.event, e.alert.key]),
      [['alert.cleared', 'camera:5:offline']],
    );
    assert.deepEqual(
      rows().map((r) => [r['key'], r['cleared_at']]),
      [
        ['camera:2:offline', null],
        ['camera:5:offline', '2026-05-01T20:00:03.000Z'],
      ],
    );
  });

  it('a bad alert is dropped and logged once, never thrown; a long message is cut, not lost', () => {
    const bad = { ...camera2, key: 'camera 2 offline' };
    assert.doesNotThrow(() => {
      for (let i = 0; i < 10; i++) center.raise(bad);
    });
    assert.equal(rows().length, 0);
    assert.equal(logs.lines.filter((l) => l['msg'] === 'alert is not valid; dropped').length, 1);

    center.raise({ ...camera2, message: 'x'.repeat(5000) });
    const message = rows()[0]!['message'] as string;
    assert.equal(message.length, 1000);
    assert.ok(message.endsWith('…'));
  });

  it('a throwing notifier does not stop the others or the caller', () => {
    const broken: AlertNotifier = {
      notify: () => {
        throw new Error('notifier exploded');
      },
    };
    const good = new RecordingNotifier();
    const c = new AlertCenter({ store: store.alerts, clock, logger: logs.logger, notifiers: [broken, good] });
    assert.doesNotThrow(() => c.raise(camera2));
    assert.doesNotThrow(() => c.clear(camera2.key));
    assert.deepEqual(
      good.events.map((e) => e.event),
      ['alert.raised', 'alert.cleared'],
    );
    assert.equal(logs.lines.filter((l) => l['msg'] === 'alert notifier failed').length, 2);
  });
});

describe('AlertCenter with a failing database', () => {
  it('never throws, still notifies (once per change) and answers from memory', () => {
    const fail = (): never => {
      throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const broken: AlertStore = {
      upsert: fail,
      clear: fail,
      open: fail,
      list: fail,
      acknowledge: fail,
      countOpen: fail,
    };
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 20, 0, 0));
    const notifier = new RecordingNotifier();
    const logs = captureLogs();
    let center: AlertCenter | undefined;
    assert.doesNotThrow(() => {
      center = new AlertCenter({ store: broken, clock, logger: logs.logger, notifiers: [notifier] });
    });
    assert.doesNotThrow(() => {
      for (let i = 0; i < 5; i++) center!.raise(camera2);
    });
    assert.deepEqual(center!.counts(), { info: 0, warning: 1, error: 0, critical: 0 });
    assert.deepEqual(
      center!.open().map((a) => [a.id, a.key]),
      [[null, 'camera:2:offline']],
    );
    assert.equal(center!.recent().length, 1);
    clock.advance(2000);
    assert.doesNotThrow(() => center!.clear(camera2.key));
    assert.deepEqual(
      notifier.events.map((e) => [e.event, e.alert.message, e.alert.cleared_at]),
      [
        ['alert.raised', camera2.message, null],
        ['alert.cleared', camera2.message, '2026-05-01T20:00:02.000Z'],
      ],
    );
    assert.equal(
      logs.lines.filter((l) => l['msg'] === 'could not store the alert; notifying anyway').length,
      1,
    );
    assert.deepEqual(center!.open(), []);
  });
});

describe('MemoryAlertSink', () => {
  it('records the calls in order and what is open', () => {
    const sink = new MemoryAlertSink();
    sink.raise(camera2);
    sink.raise({ ...camera2, key: 'camera:3:offline' });
    sink.clear('camera:2:offline');
    assert.deepEqual(
      sink.calls.map((c) => (c.op === 'raise' ? `raise ${c.alert.key}` : `clear ${c.key}`)),
      ['raise camera:2:offline', 'raise camera:3:offline', 'clear camera:2:offline'],
    );
    assert.equal(sink.isOpen('camera:2:offline'), false);
    assert.equal(sink.isOpen('camera:3:offline'), true);
  });
});
