// The bounded reader against a real HTTP server on 127.0.0.1: answers past the size cap are cut
// off (and the server sees its connection closed long before it sent them), the time limit covers
// the whole read, not only the headers. The limit runs on a fake clock moved by the test.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isAppError } from '../../../src/errors/registry.ts';
import {
  DATA_MAX_BYTES,
  fetchBounded,
  fetchJsonObject,
  redactUrl,
  type BoundedFetch,
} from '../../../src/net/bounded-fetch.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

interface Exchange {
  path: string;
  /** Body bytes the server wrote. */
  written: number;
  closed: Promise<void>;
}

/** Writes `total` bytes in `chunk`-sized pieces as fast as the client takes them, until closed. */
function stream(res: ServerResponse, exchange: Exchange, total: number, chunk: number): void {
  const piece = Buffer.alloc(chunk, 0x61);
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && exchange.written < total) {
      exchange.written += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (open) res.end();
  };
  pump();
}

describe('fetchBounded over real HTTP', () => {
  let server: Server;
  let base = '';
  const exchanges: Exchange[] = [];
  let arrived: (exchange: Exchange) => void = () => undefined;

  const handle = (req: IncomingMessage, res: ServerResponse, exchange: Exchange) => {
    switch (req.url) {
      case '/small':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"wind":12}');
        return;
      case '/exact':
        res.writeHead(200).end(`"${'x'.repeat(DATA_MAX_BYTES - 2)}"`);
        return;
      case '/one-more':
        res.writeHead(200).end(`"${'x'.repeat(DATA_MAX_BYTES - 1)}"`);
        return;
      case '/huge':
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length to refuse up front
        stream(res, exchange, 200 * 1024 * 1024, 64 * 1024);
        return;
      case '/declared':
        res.writeHead(200, { 'content-length': String(200 * 1024 * 1024) });
        res.write('{');
        return;
      case '/bomb':
        res
          .writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
          .end(gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)));
        return;
      case '/never':
        return; // the request is read, nothing is ever answered
      case '/dribble': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => {
          exchange.written++;
          res.write(' ');
        }, 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/array':
        res.writeHead(200).end('[1,2,3]');
        return;
      case '/html':
        res.writeHead(200).end('<html>');
        return;
      default:
        res.writeHead(404).end();
    }
  };

  before(async () => {
    server = createServer((req, res) => {
      let closed!: () => void;
      const exchange: Exchange = {
        path: req.url ?? '',
        written: 0,
        closed: new Promise((resolve) => (closed = resolve)),
      };
      res.on('close', () => closed());
      exchanges.push(exchange);
      arrived(exchange);
      handle(req, res, exchange);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const nextArrival = () => new Promise<Exchange>((resolve) => (arrived = resolve));

  async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await promise;
    } catch (error) {
      assert.ok(isAppError(error), String(error));
      return { code: error.code, message: error.message };
    }
    return assert.fail('the read succeeded');
  }

  it('reads a small answer whole; exactly the cap is accepted, one byte more is not', async () => {
    const clock = new FakeClock();
    assert.deepEqual(await fetchJsonObject(`${base}/small`, { clock, timeoutMs: 3000 }), { wind: 12 });
    const exact = await fetchBounded(`${base}/exact`, { clock, timeoutMs: 3000, maxBytes: DATA_MAX_BYTES });
    assert.equal(exact.byteLength, DATA_MAX_BYTES);
    assert.deepEqual(
      await refusal(fetchBounded(`${base}/one-more`, { clock, timeoutMs: 3000, maxBytes: DATA_MAX_BYTES })),
      { code: 'FETCH_TOO_LARGE', message: 'the answer is larger than the limit of 64 kB' },
    );
    assert.equal(clock.pendingTimers(), 0, 'the time limit is cancelled once the read ends');
  });

  it('stops reading 200 MB past the cap: the server sees its connection closed after a few MB', async () => {
    const clock = new FakeClock();
    const seen = nextArrival();
    const result = await refusal(fetchJsonObject(`${base}/huge`, { clock, timeoutMs: 3000 }));
    assert.equal(result.code, 'FETCH_TOO_LARGE');
    const exchange = await seen;
    await exchange.closed;
    assert.ok(
      exchange.written < 16 * 1024 * 1024,
      `the server wrote ${exchange.written} bytes before the close`,
    );
  });

  it('refuses a Content-Length over the cap before reading the body', async () => {
    const clock = new FakeClock();
    const seen = nextArrival();
    assert.equal(
      (await refusal(fetchJsonObject(`${base}/declared`, { clock, timeoutMs: 3000 }))).code,
      'FETCH_TOO_LARGE',
    );
    await (
      await seen
    ).closed;
  });

  it('counts the bytes after decompression (a gzip bomb is cut off at the cap)', async () => {
    const clock = new FakeClock();
    assert.equal(
      (await refusal(fetchJsonObject(`${base}/bomb`, { clock, timeoutMs: 3000 }))).code,
      'FETCH_TOO_LARGE',
    );
  });

  it('a server that never answers fails at the time limit, and its connection is closed', async () => {
    const clock = new FakeClock();
    const seen = nextArrival();
    const reading = refusal(fetchJsonObject(`${base}/never`, { clock, timeoutMs: 3000 }));
    const exchange = await seen;
    clock.advance(2999);
    clock.advance(1);
    assert.deepEqual(await reading, { code: 'FETCH_TIMEOUT', message: 'no complete answer within 3 s' });
    await exchange.closed;
  });

  it('the time limit covers the whole body, not only the headers (a byte every 20 ms)', async () => {
    const clock = new FakeClock();
    const seen = nextArrival();
    const reading = refusal(fetchJsonObject(`${base}/dribble`, { clock, timeoutMs: 3000 }));
    const exchange = await seen;
    while (exchange.written < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    clock.advance(3000);
    assert.equal((await reading).code, 'FETCH_TIMEOUT');
    await exchange.closed;
  });

  it('HTTP errors, no server, and answers that are not a JSON object', async () => {
    const clock = new FakeClock();
    assert.deepEqual(await refusal(fetchJsonObject(`${base}/missing`, { clock, timeoutMs: 3000 })), {
      code: 'FETCH_FAILED',
      message: 'the server answered HTTP 404',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.deepEqual(
      await refusal(fetchJsonObject(`http://127.0.0.1:${port}/`, { clock, timeoutMs: 3000 })),
      {
        code: 'FETCH_FAILED',
        message: 'could not connect (ECONNREFUSED)',
      },
    );
    assert.deepEqual(await refusal(fetchJsonObject(`${base}/array`, { clock, timeoutMs: 3000 })), {
      code: 'DATA_INVALID',
      message: 'the answer is not a JSON object',
    });
    assert.deepEqual(await refusal(fetchJsonObject(`${base}/html`, { clock, timeoutMs: 3000 })), {
      code: 'DATA_INVALID',
      message: 'the answer is not valid JSON',
    });
  });
});

describe('fetchBounded with an injected fetch', () => {
  it('a fetch that ignores its signal still ends at the time limit; the signal is aborted', async () => {
    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    const hang: BoundedFetch = (_url, init) => {
      signals.push(init.signal);
      return new Promise(() => undefined);
    };
    const reading = fetchBounded('http://data.test/', { clock, fetch: hang, timeoutMs: 5000, maxBytes: 10 });
    clock.advance(4999);
    assert.equal(signals[0]!.aborted, false);
    clock.advance(1);
    await assert.rejects(reading, (error: unknown) => isAppError(error) && error.code === 'FETCH_TIMEOUT');
    assert.equal(signals[0]!.aborted, true);
  });

  it('redacts credentials and query from an address', () => {
    assert.equal(redactUrl('http://a:b@host:8080/x/y?k=v#f'), 'http://a:****@host:8080/x/y?k=****#****');
    assert.equal(redactUrl('not a url'), 'not a url');
  });
});
