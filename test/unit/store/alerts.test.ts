import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isAppError } from '../../../src/errors/registry.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { tempDir } from '../../helpers/temp.ts';

const offline = {
  key: 'camera:2:offline',
  severity: 'error',
  code: 'CAMERA_OFFLINE',
  message: 'Camera 2 offline — switched to backup camera 3.',
  remediation: 'Check its power and network.',
  source: 'camera:2',
} as const;

describe('alert repository (SQLite file)', () => {
  const dir = tempDir();
  let store: Store;
  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });
  beforeEach(() => store.db.exec('DELETE FROM alerts'));

  const rows = (): Array<Record<string, unknown>> =>
    store.db.prepare('SELECT * FROM alerts ORDER BY id').all() as Array<Record<string, unknown>>;

  it('raising an open key again does not add a row; the same content changes nothing', () => {
    const first = store.alerts.upsert(offline, '2026-01-01T10:00:00.000Z');
    assert.equal(first.outcome, 'opened');
    const again = store.alerts.upsert(offline, '2026-01-01T10:00:05.000Z');
    assert.equal(again.outcome, 'unchanged');
    assert.equal(again.alert.id, first.alert.id);
    const [row, ...rest] = rows();
    assert.equal(rest.length, 0);
    assert.equal(row!['created_at'], '2026-01-01T10:00:00.000Z');
    assert.equal(row!['updated_at'], null, 'an unchanged raise writes nothing');
    assert.equal(row!['key'], 'camera:2:offline');
  });

  it('a new message updates the open row in place and records when', () => {
    const { alert } = store.alerts.upsert(offline, '2026-01-01T10:00:00.000Z');
    const changed = store.alerts.upsert(
      { ...offline, message: 'Camera 2 offline — no backup ready, showing the slate.' },
      '2026-01-01T10:00:09.000Z',
    );
    assert.equal(changed.outcome, 'updated');
    assert.equal(changed.alert.id, alert.id);
    const all = rows();
    assert.equal(all.length, 1);
    assert.equal(all[0]!['message'], 'Camera 2 offline — no backup ready, showing the slate.');
    assert.equal(all[0]!['updated_at'], '2026-01-01T10:00:09.000Z');
    assert.equal(all[0]!['created_at'], '2026-01-01T10:00:00.000Z');
  });

  it('clearing records the time; the next raise of that key opens a new alert', () => {
    const { alert } = store.alerts.upsert(offline, '2026-01-01T10:00:00.000Z');
    const cleared = store.alerts.clear('camera:2:offline', '2026-01-01T10:02:00.000Z');
    assert.equal(cleared?.id, alert.id);
    assert.equal(cleared?.cleared_at, '2026-01-01T10:02:00.000Z');
    assert.equal(store.alerts.clear('camera:2:offline'), null, 'nothing open to clear');
    assert.equal(store.alerts.openByKey('camera:2:offline'), null);

    const reopened = store.alerts.upsert(offline, '2026-01-01T11:00:00.000Z');
    assert.equal(reopened.outcome, 'opened');
    assert.notEqual(reopened.alert.id, alert.id);
    assert.deepEqual(
      rows().map((r) => [r['id'], r['cleared_at']]),
      [
        [alert.id, '2026-01-01T10:02:00.000Z'],
        [reopened.alert.id, null],
      ],
    );
  });

  it('the database itself refuses a second open row for one key', () => {
    store.alerts.upsert(offline);
    assert.throws(
      () =>
        store.db
          .prepare(
            `INSERT INTO alerts (key, severity, code, message, remediation) VALUES (?, 'info', 'X', 'm', 'r')`,
          )
          .run('camera:2:offline'),
      /UNIQUE constraint failed/,
    );
  });

  it('an escalation un-acknowledges the alert; a same-severity update keeps the acknowledgement', () => {
    const { alert } = store.alerts.upsert({ ...offline, severity: 'warning' });
    store.alerts.acknowledge(alert.id, '2026-01-01T10:01:00.000Z');
    const reworded = store.alerts.upsert({
      ...offline,
      severity: 'warning',
      message: 'Camera 2 still offline.',
    });
    assert.equal(reworded.alert.acknowledged, true);
    assert.equal(reworded.alert.acknowledged_at, '2026-01-01T10:01:00.000Z');
    const worse = store.alerts.upsert({ ...offline, severity: 'critical' });
    assert.equal(worse.outcome, 'updated');
    assert.equal(worse.alert.acknowledged, false);
    assert.equal(worse.alert.acknowledged_at, null);
    assert.equal(rows()[0]!['acknowledged'], 0);
  });

  it('open(): keyed alerts until cleared (even acknowledged), keyless ones until acknowledged', () => {
    const keyed = store.alerts.raise(offline);
    const event = store.alerts.raise({
      severity: 'critical',
      code: 'DESTINATION_FAILED',
      message: 'YouTube failed 10 times and was stopped.',
      remediation: 'Check the stream key.',
    });
    assert.equal(event.key, null);
    const second = store.alerts.raise({
      severity: 'critical',
      code: 'DESTINATION_FAILED',
      message: 'YouTube failed 10 times and was stopped.',
      remediation: 'Check the stream key.',
    });
    assert.notEqual(second.id, event.id, 'keyless raises are separate events');
    assert.deepEqual(
      store.alerts.open().map((a) => a.id),
      [second.id, event.id, keyed.id],
    );
    assert.deepEqual(store.alerts.countOpen(), { info: 0, warning: 0, error: 1, critical: 2 });

    store.alerts.acknowledge(keyed.id);
    store.alerts.acknowledge(event.id);
    assert.deepEqual(
      store.alerts.open().map((a) => a.id),
      [second.id, keyed.id],
    );
    store.alerts.clear(offline.key);
    assert.deepEqual(
      store.alerts.list({ openOnly: true }).map((a) => a.id),
      [second.id],
    );
    assert.deepEqual(store.alerts.countOpen(), { info: 0, warning: 0, error: 0, critical: 1 });
  });

  it('rejects bad input naming the field, and a missing alert is ALERT_NOT_FOUND', () => {
    assert.throws(
      () => store.alerts.raise({ ...offline, key: 'camera 2 offline' }),
      (e) => isAppError(e) && e.code === 'VALIDATION_FAILED' && e.issues.some((i) => i.path === 'key'),
    );
    assert.throws(
      () => store.alerts.acknowledge(999),
      (e) => isAppError(e) && e.code === 'ALERT_NOT_FOUND' && e.status === 404,
    );
    assert.equal(rows().length, 0);
  });

  it('prune deletes only closed alerts older than the cut-off', () => {
    const old = store.alerts.raise({ ...offline, key: 'camera:1:offline' }, '2025-01-01T00:00:00.000Z');
    store.alerts.clear('camera:1:offline', '2025-01-01T00:05:00.000Z');
    const oldOpen = store.alerts.raise(offline, '2025-01-01T00:00:00.000Z');
    const recent = store.alerts.raise({ ...offline, key: 'camera:3:offline' }, '2026-01-01T00:00:00.000Z');
    store.alerts.clear('camera:3:offline', '2026-01-01T00:01:00.000Z');
    assert.equal(store.alerts.prune('2025-06-01T00:00:00.000Z'), 1);
    assert.deepEqual(
      rows().map((r) => r['id']),
      [oldOpen.id, recent.id],
    );
    assert.ok(!rows().some((r) => r['id'] === old.id));
  });

  it('open alerts survive closing and reopening the database file', () => {
    store.alerts.raise(offline, '2026-01-01T10:00:00.000Z');
    const path = store.path;
    const other = openStore({ dataDir: dir.path, dbPath: path, secretKey: randomBytes(32) });
    try {
      assert.equal(other.alerts.openByKey(offline.key)?.message, offline.message);
      assert.equal(other.alerts.upsert(offline).outcome, 'unchanged');
    } finally {
      other.close();
    }
  });
});
