import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import type { AlertEvent } from '../../../src/alerts/alert-center.ts';
import { WebhookNotifier, type DeliveryResult } from '../../../src/alerts/webhook.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { freePort, waitFor } from '../../helpers/proc.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

/** A real webhook receiver on 127.0.0.1 that records what arrived. */
class Receiver {
  readonly received: Received[] = [];
  readonly sockets = new Set<Socket>();
  closedSockets = 0;
  private readonly server: Server;

  constructor(private handler: Handler) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const index = this.received.length;
        this.received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        this.handler(req, res, index);
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.closedSockets += 1;
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  bodies(): AlertEvent[] {
    return this.received.map((r) => JSON.parse(r.body) as AlertEvent);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function event(key: string, kind: AlertEvent['event'] = 'alert.raised'): AlertEvent {
  return {
    event: kind,
    alert: {
      id: 7,
      key,
      severity: 'error',
      code: 'CAMERA_OFFLINE',
      message: `${key} offline — switched to backup camera 3.`,
      remediation: 'Check its power and network.',
      source: 'camera:2',
      created_at: '2026-05-01T20:00:00.000Z',
      updated_at: null,
      cleared_at: kind === 'alert.cleared' ? '2026-05-01T20:05:00.000Z' : null,
      acknowledged: false,
      acknowledged_at: null,
    },
  };
}

function captureLogs(): { logger: Logger; text: () => string; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines, text: () => raw.join('') };
}

const quickRetry = { baseMs: 20, factor: 2, capMs: 100, jitter: 0 };

describe('WebhookNotifier against a real HTTP server', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function receiver(handler: Handler): Promise<{ server: Receiver; url: string }> {
    const server = new Receiver(handler);
    const url = await server.listen();
    cleanups.push(() => server.close());
    return { server, url };
  }

  function notifier(options: ConstructorParameters<typeof WebhookNotifier>[0]): WebhookNotifier {
    const n = new WebhookNotifier(options);
    cleanups.push(() => n.close());
    return n;
  }

  it('POSTs each event as JSON {event, alert}, in order', async () => {
    const { server, url } = await receiver((_req, res) => res.writeHead(204).end());
    const n = notifier({ url: `${url}/hooks/alerts`, headers: { authorization: 'Bearer t0ken' } });
    n.notify(event('camera:2:offline'));
    n.notify(event('camera:2:offline', 'alert.cleared'));
    await n.idle();

    assert.deepEqual(
      server.received.map((r) => [r.method, r.url, r.headers['content-type'], r.headers['authorization']]),
      [
        ['POST', '/hooks/alerts', 'application/json', 'Bearer t0ken'],
        ['POST', '/hooks/alerts', 'application/json', 'Bearer t0ken'],
      ],
    );
    assert.deepEqual(server.bodies(), [
      event('camera:2:offline'),
      event('camera:2:offline', 'alert.cleared'),
    ]);
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 2, failed: 0, dropped: 0 });
  });

  it('retries a failing webhook with backoff until it answers', async () => {
    const { server, url } = await receiver((_req, res, index) => res.writeHead(index < 2 ? 503 : 200).end());
    const n = notifier({ url, backoff: quickRetry });
    n.notify(event('camera:2:offline'));
    await n.idle();
    assert.equal(server.received.length, 3, 'two 503s, then delivered');
    assert.deepEqual(
      server.bodies(),
      [1, 2, 3].map(() => event('camera:2:offline')),
    );
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 1, failed: 0, dropped: 0 });
  });

  it('gives up after the retries and moves on to the next event', async () => {
    const { server, url } = await receiver((_req, res) => res.writeHead(500).end());
    const n = notifier({ url, retries: 2, backoff: quickRetry });
    n.notify(event('a'));
    n.notify(event('b'));
    await n.idle();
    assert.deepEqual(
      server.bodies().map((b) => b.alert.key),
      ['a', 'a', 'a', 'b', 'b', 'b'],
    );
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 0, failed: 2, dropped: 0 });
  });

  it('does not retry a refusal (404): the address is wrong, retrying cannot help', async () => {
    const { server, url } = await receiver((_req, res) => res.writeHead(404).end());
    const n = notifier({ url, backoff: quickRetry });
    n.notify(event('a'));
    await n.idle();
    assert.equal(server.received.length, 1);
    assert.equal(n.stats().failed, 1);
  });

  it('a dead webhook (connection refused) fails quietly and never throws', async () => {
    const port = await freePort();
    const logs = captureLogs();
    const n = notifier({
      url: `http://127.0.0.1:${port}/x`,
      retries: 1,
      backoff: quickRetry,
      logger: logs.logger,
    });
    assert.doesNotThrow(() => n.notify(event('a')));
    await n.idle();
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 0, failed: 1, dropped: 0 });
    assert.ok(logs.lines.some((l) => l['reason'] === 'ECONNREFUSED'));
  });

  it('a slow webhook times out, is retried, and notify never waits for it', async () => {
    const { server, url } = await receiver(() => {
      /* never answers */
    });
    const n = notifier({ url, timeoutMs: 150, retries: 1, backoff: quickRetry });
    n.notify(event('a'));
    assert.equal(server.received.length, 0, 'notify returned before the request even arrived');
    assert.equal(n.stats().sending, true);
    await n.idle();
    assert.equal(server.received.length, 2);
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 0, failed: 1, dropped: 0 });
    await waitFor(() => server.sockets.size === 0, { timeoutMs: 2000 });
    assert.equal(server.closedSockets, 2, 'each timed-out request closed its connection');
  });

  it('a response that never finishes is delivered, and its socket is still closed by the deadline', async () => {
    const { server, url } = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('ok, more to come…'); // and never ends
    });
    const n = notifier({ url, timeoutMs: 200 });
    n.notify(event('a'));
    await n.idle();
    assert.equal(n.stats().delivered, 1);
    await waitFor(() => server.sockets.size === 0, { timeoutMs: 2000 });
    assert.equal(server.closedSockets, 1);
  });

  it('a stuck webhook never grows the queue beyond its bound: the oldest events are dropped', async () => {
    const held: ServerResponse[] = [];
    const { server, url } = await receiver((_req, res) => held.push(res));
    const logs = captureLogs();
    const n = notifier({ url, maxQueue: 5, timeoutMs: 5000, logger: logs.logger });
    for (let i = 0; i < 50; i++) n.notify(event(`camera:${i}:offline`));
    assert.deepEqual(n.stats(), { queued: 5, sending: true, delivered: 0, failed: 0, dropped: 44 });
    assert.equal(
      logs.lines.filter((l) => /not keeping up/.test(String(l['msg']))).length,
      1,
      'one warning per overflow, not one per dropped event',
    );

    await waitFor(() => held.length === 1, { timeoutMs: 2000 });
    server.setHandler((_req, res) => res.writeHead(200).end());
    held[0]!.writeHead(200).end();
    await n.idle();
    assert.deepEqual(
      server.bodies().map((b) => b.alert.key),
      [
        'camera:0:offline',
        'camera:45:offline',
        'camera:46:offline',
        'camera:47:offline',
        'camera:48:offline',
        'camera:49:offline',
      ],
    );
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 6, failed: 0, dropped: 44 });
  });

  it('never logs the path or query of the URL (it may carry a token), only the origin', async () => {
    const { url } = await receiver((_req, res) => res.writeHead(500).end());
    const logs = captureLogs();
    const n = notifier({
      url: `${url}/hooks/SECRET-PATH-TOKEN?token=s3cr3t`,
      headers: { authorization: 'Bearer HEADER-SECRET' },
      retries: 1,
      backoff: quickRetry,
      logger: logs.logger,
    });
    n.notify(event('a'));
    await n.idle();
    assert.ok(logs.lines.length >= 2, 'the failures were logged');
    const text = logs.text();
    assert.ok(
      !text.includes('SECRET-PATH-TOKEN') && !text.includes('s3cr3t') && !text.includes('HEADER-SECRET'),
    );
    assert.ok(logs.lines.every((l) => l['webhook'] === url));
    assert.equal(n.origin, url);
  });
});

describe('WebhookNotifier rules (fake clock)', () => {
  it('retries on the backoff schedule (1 s, 2 s, 4 s) and then gives up', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const n = new WebhookNotifier({
      url: 'https://hooks.example.com/x',
      clock,
      random: () => 0.5, // no jitter
      send: async (): Promise<DeliveryResult> => {
        attempts.push(clock.now());
        return { ok: false, retry: true, reason: 'HTTP 502' };
      },
    });
    n.notify(event('a'));
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(500);
    }
    await n.idle();
    assert.deepEqual(attempts, [0, 1000, 3000, 7000]);
    assert.equal(n.stats().failed, 1);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('close() drops what waits, cancels the pending retry and settles idle()', async () => {
    const clock = new FakeClock();
    let sends = 0;
    const n = new WebhookNotifier({
      url: 'https://hooks.example.com/x',
      clock,
      send: async (): Promise<DeliveryResult> => {
        sends += 1;
        return { ok: false, retry: true, reason: 'HTTP 503' };
      },
    });
    n.notify(event('a'));
    n.notify(event('b'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(clock.pendingTimers(), 1, 'waiting to retry a');
    const idle = n.idle();
    n.close();
    await idle;
    assert.equal(clock.pendingTimers(), 0);
    n.notify(event('c'));
    assert.deepEqual(n.stats(), { queued: 0, sending: false, delivered: 0, failed: 0, dropped: 2 });
    assert.equal(sends, 1);
  });

  it('rejects a non-http(s) address without echoing it', () => {
    for (const url of ['ftp://hooks.example.com/TOKEN123', 'not a url TOKEN123']) {
      assert.throws(
        () => new WebhookNotifier({ url }),
        (e) => isAppError(e) && e.code === 'WEBHOOK_URL_INVALID' && !e.message.includes('TOKEN123'),
      );
    }
  });
});
