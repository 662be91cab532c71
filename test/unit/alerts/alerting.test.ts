import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ALERT_WEBHOOK_SETTING, createAlerting, type AlertEvent } from '../../../src/alerts/index.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('createAlerting', () => {
  const dir = tempDir();
  let store: Store;
  const received: AlertEvent[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(JSON.parse(body) as AlertEvent);
      res.writeHead(204).end();
    });
  });
  let url = '';

  before(async () => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=abc`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    dir.cleanup();
  });

  it('the engine raises and clears; the database and the webhook receiver both see it', async () => {
    store.settings.set(ALERT_WEBHOOK_SETTING, { url });
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 20, 0, 0));
    const alerting = createAlerting({
      alerts: store.alerts,
      webhook: store.settings.get(ALERT_WEBHOOK_SETTING, null),
      clock,
    });
    assert.ok(alerting.webhook);
    const { center } = alerting;
    center.raise({
      key: 'camera:2:offline',
      severity: 'warning',
      code: 'CAMERA_OFFLINE',
      message: 'Camera 2 offline — switched to backup camera 3.',
      remediation: 'Check its power and network.',
      source: 'camera:2',
    });
    center.raise({
      key: 'camera:2:offline',
      severity: 'warning',
      code: 'CAMERA_OFFLINE',
      message: 'Camera 2 offline — switched to backup camera 3.',
      remediation: 'Check its power and network.',
      source: 'camera:2',
    });
    // The webhook runs its deadlines on the same (fake) clock: let the raise arrive before time moves.
    await alerting.webhook.idle();
    clock.advance(90_000);
    center.clear('camera:2:offline');
    await alerting.webhook.idle();
    alerting.close();

    const row = store.db.prepare('SELECT * FROM alerts').get() as Record<string, unknown>;
    assert.equal(row['cleared_at'], '2026-05-01T20:01:30.000Z');
    assert.deepEqual(
      received.map((e) => [e.event, e.alert.id, e.alert.key, e.alert.cleared_at]),
      [
        ['alert.raised', row['id'], 'camera:2:offline', null],
        ['alert.cleared', row['id'], 'camera:2:offline', '2026-05-01T20:01:30.000Z'],
      ],
    );
    assert.equal(received[0]!.alert.message, 'Camera 2 offline — switched to backup camera 3.');
  });

  it('no webhook, a disabled one, or a bad setting: alerts still work, and the bad setting is logged without its URL', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    for (const webhook of [undefined, null, { url, enabled: false }, { url: 'ftp://x.example/SECRET' }]) {
      const alerting = createAlerting({ alerts: store.alerts, webhook, logger });
      assert.equal(alerting.webhook, null);
      alerting.center.raise({
        key: 'k',
        severity: 'info',
        code: 'CAMERA_OFFLINE',
        message: 'm.',
        remediation: 'r.',
      });
      alerting.close();
    }
    assert.ok(lines.some((l) => l.includes('webhook setting is not valid')));
    assert.ok(!lines.join('').includes('SECRET'));
    assert.equal(store.alerts.openByKey('k')?.code, 'CAMERA_OFFLINE');
  });

  it('a webhook configured while running takes the next events; null switches it off', async () => {
    received.length = 0;
    const alerting = createAlerting({ alerts: store.alerts, clock: new FakeClock(Date.UTC(2026, 4, 2)) });
    const raise = (key: string) =>
      alerting.center.raise({
        key,
        severity: 'info',
        code: 'CAMERA_OFFLINE',
        message: 'm.',
        remediation: 'r.',
      });
    raise('before');
    alerting.configureWebhook({ url });
    assert.ok(alerting.webhook);
    raise('during');
    await alerting.webhook.idle();
    alerting.configureWebhook(null);
    assert.equal(alerting.webhook, null);
    raise('after');
    alerting.close();
    assert.deepEqual(
      received.map((e) => e.alert.key),
      ['during'],
    );
  });

  it('deletes closed alerts older than the retention at start, keeps open ones', () => {
    store.db.exec('DELETE FROM alerts');
    store.alerts.raise(
      { key: 'old', severity: 'info', code: 'C', message: 'm', remediation: 'r' },
      '2025-01-01T00:00:00.000Z',
    );
    store.alerts.clear('old', '2025-01-01T00:01:00.000Z');
    store.alerts.raise(
      { key: 'open', severity: 'info', code: 'C', message: 'm', remediation: 'r' },
      '2025-01-01T00:00:00.000Z',
    );
    const clock = new FakeClock(Date.UTC(2026, 4, 1));
    createAlerting({ alerts: store.alerts, clock }).close();
    assert.deepEqual(
      (store.db.prepare('SELECT key FROM alerts').all() as Array<{ key: string }>).map((r) => r.key),
      ['open'],
    );
  });
});
