// An HTTP server on 127.0.0.1 that answers the way a broken or hostile data source does, for the
// tests that prove fetched data is bounded (issue 14): 200 MB fast or slowly, never, a byte at a
// time, a 600 KB JSON value. It counts what it wrote, so a test can tell the reader stopped early.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HUGE_BYTES = 200 * 1024 * 1024;

export interface HostileServer {
  /** http://127.0.0.1:<port> */
  base: string;
  /** Body bytes written so far, by path. */
  written: Map<string, number>;
  /** Requests received, by path. */
  requests: Map<string, number>;
  /** Resolves at the next request for `path`. */
  nextRequest(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface HostileServerOptions {
  /** Served at /image.png. */
  image?: Buffer;
}

export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const written = new Map<string, number>();
  const requests = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const count = (path: string, bytes: number) => written.set(path, (written.get(path) ?? 0) + bytes);

  /** 200 MB of a JSON string, in `chunk`-byte writes `everyMs` apart (0: as fast as the client reads). */
  const huge = (res: ServerResponse, path: string, chunk: number, everyMs: number) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length up front
    const piece = Buffer.alloc(chunk, 0x61);
    let sent = 0;
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    res.on('close', () => {
      open = false;
      clearTimeout(timer);
    });
    res.write('{"text":"');
    const pump = () => {
      while (open && sent < HUGE_BYTES) {
        sent += piece.length;
        count(path, piece.length);
        const flowing = res.write(piece);
        if (everyMs > 0) return void (timer = setTimeout(pump, everyMs));
        if (!flowing) return void res.once('drain', pump);
      }
      if (open) res.end('"}');
    };
    pump();
  };

  const json = (res: ServerResponse, path: string, body: unknown) => {
    const text = JSON.stringify(body);
    count(path, Buffer.byteLength(text));
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    for (const resolve of waiting.get(path)?.splice(0) ?? []) resolve();
    switch (path) {
      case '/huge-fast':
        return huge(res, path, 64 * 1024, 0);
      case '/huge-slow':
        return huge(res, path, 4 * 1024, 10); // 400 kB/s: 200 MB would take over 8 minutes
      case '/never':
        return; // read the request, answer nothing, ever
      case '/dribble': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => {
          count(path, 1);
          res.write(' ');
        }, 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/big-json':
        return json(res, path, { text: 'x'.repeat(600_000) });
      case '/long-json':
        return json(res, path, { text: 'w'.repeat(60_000) });
      case '/calm-json':
        return json(res, path, { text: 'Calm' });
      case '/image.png':
        if (!options.image) break;
        count(path, options.image.length);
        res.writeHead(200, { 'content-type': 'image/png' }).end(options.image);
        return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    written,
    requests,
    nextRequest: (path) =>
      new Promise((resolve) => {
        const list = waiting.get(path) ?? [];
        list.push(resolve);
        waiting.set(path, list);
      }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
