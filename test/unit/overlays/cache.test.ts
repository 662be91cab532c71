import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../helpers/fake-clock.ts';
import {
  DataPoller,
  OverlayRenderer,
  MAX_DATA_BYTES,
  RETRY_AFTER_MS,
  redactUrl,
  type CachedOverlay,
  type FetchLike,
  type FetchResponseLike,
  type OverlayRendererOptions,
} from '../../../src/engine/overlays/cache.ts';
import {
  renderOverlay,
  type RenderContext,
  type RenderedOverlay,
} from '../../../src/engine/overlays/render.ts';
import { yuvaBytes } from '../../../src/engine/overlays/yuva.ts';
import type { OverlayParams } from '../../../src/timeline/schema.ts';
import { fixtureLoader, logoPng, overlay } from './helpers.ts';

const silent = {
  warn: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  error: () => undefined,
} as unknown as NonNullable<OverlayRendererOptions['logger']>;

function json(body: unknown, status = 200): FetchResponseLike {
  return new Response(JSON.stringify(body), { status });
}

/** A fetch that answers from a queue of responses (the last one repeats); records its calls. */
function scriptedFetch(responses: (FetchResponseLike | Error | 'hang')[]) {
  const calls: { url: string; signal: AbortSignal }[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, signal: init.signal });
    const next = responses.length > 1 ? responses.shift()! : responses[0]!;
    if (next === 'hang') return new Promise(() => undefined);
    if (next instanceof Error) return Promise.reject(next);
    // A body is read once: each call gets its own copy (the last response repeats).
    return Promise.resolve(next instanceof Response ? next.clone() : next);
  };
  return { fetch, calls, responses };
}

describe('DataPoller', () => {
  it('polls at start, then every interval; reports a change only when the data changes', async () => {
    const clock = new FakeClock();
    const { fetch, calls, responses } = scriptedFetch([
      json({ temp: 18 }),
      json({ temp: 18 }),
      json({ temp: 19 }),
    ]);
    const changes: unknown[] = [];
    const poller = new DataPoller({
      url: 'http://example.test/weather',
      intervalMs: 30_000,
      fetch,
      clock,
      onChange: (data) => changes.push(data),
      logger: silent,
    });
    assert.equal(poller.value(), undefined);
    poller.start();
    await poller.idle();
    assert.equal(calls.length, 1);
    assert.deepEqual(poller.value(), { temp: 18 });
    assert.deepEqual(changes, [{ temp: 18 }]);

    clock.advance(29_999);
    await poller.idle();
    assert.equal(calls.length, 1, 'not before the interval');
    clock.advance(1);
    await poller.idle();
    assert.equal(calls.length, 2);
    assert.deepEqual(changes, [{ temp: 18 }], 'same data: no change');

    clock.advance(30_000);
    await poller.idle();
    assert.equal(calls.length, 3);
    assert.deepEqual(changes, [{ temp: 18 }, { temp: 19 }]);
    assert.equal(responses.length, 1);

    poller.stop();
    clock.advance(300_000);
    await poller.idle();
    assert.equal(calls.length, 3, 'no polls after stop');
    assert.equal(clock.pendingTimers(), 0);
  });

  it('keeps the last good value on errors and reports its health', async () => {
    const clock = new FakeClock();
    const { fetch } = scriptedFetch([
      json({ score: '2-1' }),
      json({ error: 'down' }, 503),
      new Error('ECONNREFUSED'),
      new Response('<html>'),
      json([1, 2, 3]),
      json({ score: '3-1' }),
    ]);
    const poller = new DataPoller({
      url: 'https://user:secret@scores.example/api/live?token=abc',
      intervalMs: 10_000,
      fetch,
      clock,
      logger: silent,
    });
    poller.start();
    await poller.idle();
    assert.equal(poller.health().ok, true);
    assert.equal(poller.health().lastSuccessAt, clock.wallNow());

    const errors: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      await poller.idle();
      errors.push(poller.health().lastError ?? '');
      assert.deepEqual(poller.value(), { score: '2-1' }, 'last good value kept');
    }
    assert.deepEqual(errors, [
      'the server answered HTTP 503',
      'could not connect (ECONNREFUSED)',
      'the answer is not valid JSON',
      'the answer is not a JSON object',
    ]);
    const sick = poller.health();
    assert.equal(sick.ok, false);
    assert.equal(sick.hasData, true);
    assert.equal(sick.consecutiveFailures, 4);
    assert.equal(sick.stale, true, 'no success for 40 s > 3 intervals');
    assert.equal(sick.polls, 5);
    assert.equal(
      sick.url,
      'https://user:****@scores.example/api/live?token=****',
      'no password or query value in health',
    );
    assert.equal(sick.lastErrorAt, clock.wallNow());

    clock.advance(10_000);
    await poller.idle();
    const well = poller.health();
    assert.deepEqual([well.ok, well.stale, well.consecutiveFailures], [true, false, 0]);
    assert.deepEqual(poller.value(), { score: '3-1' });
    poller.stop();
  });

  it('times out a hanging request with the injected clock and aborts it', async () => {
    const clock = new FakeClock();
    const { fetch, calls } = scriptedFetch(['hang']);
    const poller = new DataPoller({
      url: 'http://slow.test/',
      intervalMs: 30_000,
      timeoutMs: 5_000,
      fetch,
      clock,
      logger: silent,
    });
    poller.start();
    assert.equal(poller.busy, true);
    clock.advance(4_999);
    assert.equal(calls[0]!.signal.aborted, false);
    clock.advance(1);
    await poller.idle();
    assert.equal(calls[0]!.signal.aborted, true);
    assert.equal(poller.health().lastError, 'no complete answer within 5 s');
    assert.equal(poller.health().stale, true, 'never succeeded');
    // The next poll is scheduled an interval after the failed one ended.
    clock.advance(30_000);
    assert.equal(calls.length, 2);
    poller.stop();
  });

  it('redacts URLs for logs', () => {
    assert.equal(redactUrl('http://a:b@host:8080/x/y?k=v#f'), 'http://a:****@host:8080/x/y?k=****#****');
    assert.equal(redactUrl('not a url'), 'not a url');
  });
});

describe('DataPoller over real HTTP', () => {
  let server: Server;
  let base = '';
  let hits = 0;

  before(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/data') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ wind: { speed: 12 }, hits }));
      } else if (req.url === '/grown') {
        // Small at first, then a 600 KB value (what once made 77 ticks late).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: hits > 1 ? 'x'.repeat(600_000) : 'calm' }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches JSON with the global fetch', async () => {
    const clock = new FakeClock();
    const fetch: FetchLike = (url, init) => globalThis.fetch(url, init);
    const ok = new DataPoller({ url: `${base}/data`, intervalMs: 60_000, fetch, clock, logger: silent });
    await ok.poll();
    assert.deepEqual(ok.value(), { wind: { speed: 12 }, hits: 1 });
    const missing = new DataPoller({ url: `${base}/nope`, intervalMs: 60_000, fetch, clock, logger: silent });
    await missing.poll();
    assert.equal(missing.health().lastError, 'the server answered HTTP 404');
    assert.equal(missing.value(), undefined);
  });

  it('refuses an answer over 64 kB and keeps the last good data', async () => {
    hits = 0;
    const clock = new FakeClock();
    const fetch: FetchLike = (url, init) => globalThis.fetch(url, init);
    const poller = new DataPoller({ url: `${base}/grown`, intervalMs: 60_000, fetch, clock, logger: silent });
    await poller.poll();
    assert.deepEqual(poller.value(), { text: 'calm' });
    await poller.poll();
    assert.equal(MAX_DATA_BYTES, 64 * 1024);
    assert.equal(poller.health().lastError, 'the answer is larger than the limit of 64 kB');
    assert.equal(poller.health().lastErrorCode, 'FETCH_TOO_LARGE');
    assert.deepEqual(poller.value(), { text: 'calm' }, 'the last good data stays');
  });
});

describe('OverlayRenderer', () => {
  const W = 320;
  const H = 180;

  async function setup(extra: Partial<OverlayRendererOptions> = {}) {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 30)); // 12:00:30 UTC
    const rendered: CachedOverlay[] = [];
    const loader = fixtureLoader({
      '/logo.png': await logoPng(40, 24),
      '/other.png': await logoPng(20, 20),
    });
    const renderer = new OverlayRenderer({
      programWidth: W,
      programHeight: H,
      loadImage: loader,
      clock,
      timeZone: 'UTC',
      fetch: scriptedFetch([new Error('no fetch in this test')]).fetch,
      onRendered: (o) => rendered.push(o),
      logger: silent,
      ...extra,
    });
    return { clock, renderer, rendered, loader };
  }

  const title = overlay({ type: 'text', text: 'Marina Live', background: '#000000' });
  const logo = overlay({ type: 'logo', image_url: '/logo.png' });
  const clockText = overlay({ type: 'dynamic_text', template: 'Local time {time}' });

  it('renders each cue once and serves YUVA for the compositor', async () => {
    const { renderer, rendered } = await setup();
    await renderer.sync([
      { cueId: 'title', params: title },
      { cueId: 'logo', params: logo },
    ]);
    assert.equal(renderer.renderCount, 2);
    const t = renderer.get('title')!;
    assert.ok(t.yuva);
    assert.equal(t.version, 1);
    assert.equal(t.yuva.matrix, 'bt601', '320x180 uses BT.601');
    assert.equal(t.yuva.data.length, yuvaBytes(t.yuva.width, t.yuva.height));
    assert.deepEqual([t.yuva.left, t.yuva.top], [t.rendered.left, t.rendered.top]);
    assert.equal(t.rendered.text, 'Marina Live');
    assert.equal(renderer.get('logo')!.yuva!.width, 40);
    assert.equal(rendered.length, 2);

    // Same cues again (every lookahead call): nothing re-renders.
    await renderer.sync([
      { cueId: 'title', params: { ...title } },
      { cueId: 'logo', params: logo },
    ]);
    assert.equal(renderer.renderCount, 2);
    assert.equal(renderer.get('title'), t);
    assert.deepEqual(
      renderer.health().overlays.map((o) => [o.cueId, o.ready, o.error]),
      [
        ['title', true, null],
        ['logo', true, null],
      ],
    );
    renderer.close();
  });

  it('re-renders only what changed, and forgets cues no longer needed', async () => {
    const { renderer } = await setup();
    await renderer.sync([
      { cueId: 'title', params: title },
      { cueId: 'logo', params: logo },
    ]);
    const logoBefore = renderer.get('logo');
    await renderer.sync([
      { cueId: 'title', params: { ...title, color: '#FFFF00' } as OverlayParams },
      { cueId: 'logo', params: logo },
    ]);
    assert.equal(renderer.renderCount, 3);
    assert.equal(renderer.get('title')!.version, 2);
    assert.equal(renderer.get('logo'), logoBefore);

    await renderer.sync([{ cueId: 'logo', params: logo }]);
    assert.equal(renderer.get('title'), undefined);
    assert.equal(renderer.renderCount, 3);
    renderer.close();
  });

  it('live text edits re-render that overlay only', async () => {
    const { renderer } = await setup();
    const lower = overlay({ type: 'lower_third', text: 'Jane Doe', subtitle: 'Harbour Master' });
    await renderer.sync([
      { cueId: 'title', params: title },
      { cueId: 'lower', params: lower },
      { cueId: 'logo', params: logo },
    ]);
    assert.equal(renderer.renderCount, 3);
    const titleBefore = renderer.get('title');

    await renderer.setTextOverride('lower', 'John Smith');
    assert.equal(renderer.renderCount, 4);
    assert.equal(renderer.get('lower')!.rendered.text, 'John Smith');
    assert.equal(renderer.get('title'), titleBefore);

    // The override survives syncs with the original params.
    await renderer.sync([
      { cueId: 'title', params: title },
      { cueId: 'lower', params: lower },
      { cueId: 'logo', params: logo },
    ]);
    assert.equal(renderer.renderCount, 4);
    assert.equal(renderer.get('lower')!.rendered.text, 'John Smith');

    await renderer.setTextOverride('lower', null);
    assert.equal(renderer.get('lower')!.rendered.text, 'Jane Doe');
    assert.equal(renderer.renderCount, 5);
    await renderer.setTextOverride('unknown-cue', 'x'); // ignored
    renderer.close();
  });

  it('dynamic_text with {time} re-renders at each minute boundary, and only it', async () => {
    const { renderer, clock } = await setup();
    const noClock = overlay({ type: 'dynamic_text', template: 'Temp {temp}' });
    await renderer.sync([
      { cueId: 'clock', params: clockText },
      { cueId: 'title', params: title },
      { cueId: 'static', params: noClock },
    ]);
    assert.equal(renderer.get('clock')!.rendered.text, 'Local time 12:00');
    assert.equal(renderer.get('static')!.rendered.text, 'Temp —');
    assert.equal(renderer.renderCount, 3);
    assert.equal(clock.pendingTimers(), 1, 'one minute timer');

    clock.advance(29_999); // 12:00:59.999
    await renderer.idle();
    assert.equal(renderer.renderCount, 3);
    clock.advance(1); // 12:01:00
    await renderer.idle();
    assert.equal(renderer.get('clock')!.rendered.text, 'Local time 12:01');
    assert.equal(renderer.renderCount, 4);

    clock.advance(60_000 * 5);
    await renderer.idle();
    assert.equal(renderer.get('clock')!.rendered.text, 'Local time 12:06');
    assert.equal(
      renderer.get('clock')!.version,
      3,
      'fake clock fires the missed minutes at once; one bitmap per text',
    );

    // No cue shows the time any more: the timer goes away.
    await renderer.sync([{ cueId: 'title', params: title }]);
    assert.equal(clock.pendingTimers(), 0);
    renderer.close();
  });

  it('dynamic_text re-renders when polled data changes, keeps its text on poll errors', async () => {
    const { fetch, calls } = scriptedFetch([
      json({ temp: 18, wind: { speed: 7 } }),
      json({ temp: 18, wind: { speed: 7 } }),
      json({ temp: 19, wind: { speed: 7 } }),
      new Error('ETIMEDOUT'),
    ]);
    const { renderer, clock } = await setup({ fetch });
    const weather = overlay({
      type: 'dynamic_text',
      template: '{temp}°C · wind {wind.speed} kn',
      data_url: 'http://weather.test/now',
      poll_interval: 30,
    });
    await renderer.sync([{ cueId: 'weather', params: weather }]);
    await renderer.idle();
    assert.equal(renderer.get('weather')!.rendered.text, '18°C · wind 7 kn');
    const renders = renderer.renderCount; // 1 or 2: the first render may precede the first poll

    clock.advance(30_000); // same data
    await renderer.idle();
    assert.equal(renderer.renderCount, renders);
    clock.advance(30_000); // temp 19
    await renderer.idle();
    assert.equal(renderer.get('weather')!.rendered.text, '19°C · wind 7 kn');
    assert.equal(renderer.renderCount, renders + 1);
    clock.advance(30_000); // error
    await renderer.idle();
    assert.equal(renderer.get('weather')!.rendered.text, '19°C · wind 7 kn');
    const [source] = renderer.health().dataSources;
    assert.equal(source!.ok, false);
    assert.equal(source!.lastError, 'could not connect (ETIMEDOUT)');
    assert.equal(source!.url, 'http://weather.test/now');

    // Cue gone: its poller stops.
    const polls = calls.length;
    await renderer.sync([]);
    clock.advance(300_000);
    await renderer.idle();
    assert.equal(calls.length, polls);
    assert.deepEqual(renderer.health().dataSources, []);
    assert.equal(clock.pendingTimers(), 0);
    renderer.close();
  });

  it('two cues with the same data_url share one poller', async () => {
    const { fetch, calls } = scriptedFetch([json({ a: 1 })]);
    const { renderer } = await setup({ fetch });
    const one = overlay({
      type: 'dynamic_text',
      template: '{a}',
      data_url: 'http://d.test/x',
      poll_interval: 10,
    });
    const two = overlay({
      type: 'dynamic_text',
      template: 'A={a}',
      data_url: 'http://d.test/x',
      poll_interval: 10,
    });
    await renderer.sync([
      { cueId: 'one', params: one },
      { cueId: 'two', params: two },
    ]);
    await renderer.idle();
    assert.equal(calls.length, 1);
    assert.equal(renderer.get('two')!.rendered.text, 'A=1');
    renderer.close();
  });

  it('a failed render keeps the previous bitmap, reports the error and retries later', async () => {
    const { renderer, clock } = await setup();
    await renderer.sync([{ cueId: 'logo', params: logo }]);
    const good = renderer.get('logo');
    const broken = overlay({ type: 'logo', image_url: '/missing.png' });
    await renderer.sync([{ cueId: 'logo', params: broken }]);
    assert.equal(renderer.get('logo'), good, 'previous bitmap stays on air');
    assert.match(renderer.health().overlays[0]!.error ?? '', /no such image/);
    const count = renderer.renderCount;

    await renderer.sync([{ cueId: 'logo', params: broken }]);
    assert.equal(renderer.renderCount, count, 'not retried at once');
    clock.advance(RETRY_AFTER_MS);
    await renderer.sync([{ cueId: 'logo', params: broken }]);
    assert.equal(renderer.renderCount, count + 1, 'retried after the back-off');

    await renderer.sync([{ cueId: 'logo', params: overlay({ type: 'logo', image_url: '/other.png' }) }]);
    assert.equal(renderer.get('logo')!.yuva!.width, 20);
    assert.equal(renderer.health().overlays[0]!.error, null);
    renderer.close();
  });

  it('a slow render that is overtaken by a newer one is discarded', async () => {
    const pending: { params: OverlayParams; resolve: (o: RenderedOverlay) => void; ctx: RenderContext }[] =
      [];
    const render = (params: OverlayParams, ctx: RenderContext) =>
      new Promise<RenderedOverlay>((resolve) => pending.push({ params, ctx, resolve }));
    const { renderer } = await setup({ render });
    const first = renderer.sync([{ cueId: 't', params: overlay({ type: 'text', text: 'old' }) }]);
    const second = renderer.sync([{ cueId: 't', params: overlay({ type: 'text', text: 'new' }) }]);
    assert.equal(pending.length, 2);
    pending[1]!.resolve(await renderOverlay(pending[1]!.params, pending[1]!.ctx));
    pending[0]!.resolve(await renderOverlay(pending[0]!.params, pending[0]!.ctx));
    await Promise.all([first, second]);
    assert.equal(renderer.get('t')!.rendered.text, 'new');
    assert.equal(renderer.get('t')!.version, 1);
    renderer.close();
  });

  it('an overlay entirely off the frame has no YUVA image', async () => {
    const { renderer } = await setup();
    await renderer.sync([
      { cueId: 'off', params: overlay({ type: 'text', text: 'x', position: { x: 1000, y: 0 } }) },
    ]);
    const off = renderer.get('off')!;
    assert.equal(off.yuva, null);
    assert.equal(off.rendered.width, 0);
    renderer.close();
  });

  it('writes YUVA into buffers from an injected allocator (e.g. WASM memory)', async () => {
    const sizes: [number, number][] = [];
    const { renderer } = await setup({
      allocYuva: (w, h) => {
        sizes.push([w, h]);
        return new Uint8Array(yuvaBytes(w, h));
      },
    });
    await renderer.sync([{ cueId: 'logo', params: logo }]);
    assert.deepEqual(sizes, [[40, 24]]);
    renderer.close();
  });

  it('uses BT.709 at 720p and rejects an unknown time zone', async () => {
    const { renderer } = await setup({ programWidth: 1280, programHeight: 720 });
    await renderer.sync([{ cueId: 'title', params: title }]);
    assert.equal(renderer.get('title')!.yuva!.matrix, 'bt709');
    renderer.close();
    await assert.rejects(setup({ timeZone: 'Nowhere/Town' }), RangeError);
  });
});
