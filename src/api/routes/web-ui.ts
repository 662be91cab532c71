// The operator UI: the built single-page app from web/dist. Hashed assets are cached for good;
// every other page path answers index.html so links and reloads land on the right page. API,
// preview and metrics paths never fall through to the page.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { ApiInstance } from '../http.ts';
import { notFoundHandler } from '../http.ts';

const NOT_PAGES = /^\/(api|preview|metrics)(\/|$)/;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>VistterStream</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The control room is not built yet</h1>
<p>The appliance is running, but its web UI has not been built. On the appliance run
<code>npm run build:web</code> (or start it with <code>./scripts/up.sh</code>, which builds it) and reload this page.</p>
<p>The API answers meanwhile: <a href="/api/docs">/api/docs</a>.</p></body>`;

export async function registerWebUi(app: ApiInstance, webRoot: string): Promise<void> {
  const root = resolve(webRoot);
  const indexPath = join(root, 'index.html');
  // Only the reply.sendFile decoration: the one route below decides what each path answers.
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(path)) return notFoundHandler(request, reply);
    let file: string;
    try {
      file = resolve(root, `.${decodeURIComponent(path)}`);
    } catch {
      return notFoundHandler(request, reply); // malformed %-escape
    }
    if (extname(path) !== '' && file.startsWith(root + sep) && existsSync(file)) {
      // Vite names built assets by content hash, so they never change under their name.
      const immutable = path.startsWith('/assets/');
      return reply
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(file.slice(root.length + 1), root, { cacheControl: false });
    }
    if (extname(path) !== '') return notFoundHandler(request, reply);
    if (!existsSync(indexPath)) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(await readFile(indexPath));
  });
}
