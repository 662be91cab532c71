// The short list of routes that may ever answer without sign-in (README "HTTPS and hosts"), and
// the table of every route the app registered, so a test can walk them all: a route marked public
// that is not on this list is a mistake, and every other route must refuse a stranger.
import type { ApiInstance } from './http.ts';

export interface PublicRoute {
  method: 'GET' | 'POST';
  /** A route path as registered; with `prefix`, every path under it. */
  url: string;
  prefix?: boolean;
  /** Why a stranger may call it, and what it tells them. */
  why: string;
}

export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { method: 'GET', url: '/api/health', why: 'monitors and load balancers: the status only' },
  {
    method: 'GET',
    url: '/api/auth/status',
    why: 'the sign-in page: whether setup is needed and whether this caller is signed in',
  },
  { method: 'POST', url: '/api/auth/setup', why: 'first run only: refused once the admin exists' },
  { method: 'POST', url: '/api/auth/login', why: 'sign-in (rate limited)' },
  { method: 'GET', url: '/api/docs', prefix: true, why: 'the API reference: routes, no data' },
  { method: 'GET', url: '/*', why: 'the web UI’s own files (the page asks for sign-in)' },
  // The venue website's outputs (issue 17): each answers 404 until turned on in Settings.
  { method: 'GET', url: '/live.jpg', why: 'the website live picture: the program as a JPEG, rate limited' },
  { method: 'GET', url: '/embed/player', why: 'the embeddable player page: a video element, no data' },
  { method: 'GET', url: '/embed/player.js', why: 'the player page’s script' },
  { method: 'GET', url: '/embed/hls/:file', why: 'the program’s HLS for the player: playlist and segments' },
];

export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
}

interface RouteSeen {
  method: string;
  url: string;
  /** The options object the onRoute hooks share: a later hook may still mark it public. */
  options: { config?: { public?: boolean } };
}

const tables = new WeakMap<object, RouteSeen[]>();

/** Starts recording every route registered on `app` from now on (call before any route). */
export function recordRoutes(app: ApiInstance): void {
  const table: RouteSeen[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) table.push({ method: String(method), url: route.url, options: route });
  });
}

/** Every route registered on `app` since recordRoutes(app). */
export function registeredRoutes(app: ApiInstance): RegisteredRoute[] {
  return (tables.get(app) ?? []).map(({ method, url, options }) => ({
    method,
    url,
    public: options.config?.public === true,
  }));
}

/** Whether a route is on the public list (HEAD answers like its GET). */
export function isListedPublic(method: string, url: string): boolean {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  return PUBLIC_ROUTES.some(
    (route) =>
      route.method === asMethod &&
      (route.prefix ? url === route.url || url.startsWith(`${route.url}/`) : url === route.url),
  );
}
