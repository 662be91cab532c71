// Who may call what: one table of route → the least role it needs, for users and API tokens alike.
// viewer < operator < admin; each role can do everything the ones below it can. The auth plugin
// looks every request up here; a signed-in request to a route missing from the table needs admin
// (fail closed), and test/unit/api/roles.test.ts fails for any registered route not listed.

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, in the words the UI and the 403 answer use. */
export const ROLE_PURPOSE: Record<Role, string> = {
  viewer: 'telemetry, /metrics and reading the configuration',
  operator: 'running shows: GO LIVE, stop, overrides, quality, PTZ, timelines, media, schedules',
  admin: 'everything: cameras, destinations, settings, users and API tokens',
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** The lesser of two roles (a token never does more than the user who owns it). */
export function lesserRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * `METHOD /url-pattern` → the least role it needs. Public routes (sign-in, /api/health, the web
 * page, /api/docs) are marked `public` where they are registered and need no entry.
 */
export const ROUTE_ROLES: Readonly<Record<string, Role>> = {
  // Your own session and password: anyone signed in.
  'POST /api/auth/logout': 'viewer',
  'POST /api/auth/password': 'viewer',
  // Who may sign in and what scripts may do.
  'GET /api/auth/tokens': 'admin',
  'POST /api/auth/tokens': 'admin',
  'DELETE /api/auth/tokens/:id': 'admin',
  'GET /api/auth/users': 'admin',
  'POST /api/auth/users': 'admin',
  'PATCH /api/auth/users/:id': 'admin',
  'DELETE /api/auth/users/:id': 'admin',

  // Telemetry.
  'GET /api/show': 'viewer',
  'GET /api/live': 'viewer',
  'GET /metrics': 'viewer',
  'GET /preview/:file': 'viewer',
  'GET /api/preview/program': 'viewer',
  'GET /api/executions': 'viewer',
  'GET /api/executions/:id': 'viewer',
  'GET /api/alerts': 'viewer',
  'GET /api/health/history': 'viewer',

  // Show control.
  'POST /api/show/preflight': 'operator',
  'POST /api/show/go-live': 'operator',
  'POST /api/show/stop': 'operator',
  'POST /api/show/pause': 'operator',
  'POST /api/show/resume': 'operator',
  'POST /api/show/jump': 'operator',
  'POST /api/show/overrides/emergency': 'operator',
  'POST /api/show/overrides/force-camera': 'operator',
  'POST /api/show/overrides/pin-camera': 'operator',
  'POST /api/show/overrides/clear-overlays': 'operator',
  'POST /api/show/overrides/restore-overlays': 'operator',
  'POST /api/show/overrides/overlay-text': 'operator',
  // Issue 16: cancel a force; end every override at once.
  'POST /api/show/overrides/cancel-force': 'operator',
  'POST /api/show/overrides/return-to-timeline': 'operator',
  'POST /api/show/quality': 'operator',
  'POST /api/alerts/:id/acknowledge': 'operator',

  // PTZ: framing shots is show work.
  'GET /api/cameras/:id/presets': 'viewer',
  'GET /api/cameras/:id/ptz/status': 'viewer',
  'POST /api/cameras/:id/presets': 'operator',
  'DELETE /api/cameras/:id/presets/:presetId': 'operator',
  'POST /api/cameras/:id/presets/:presetId/goto': 'operator',
  'POST /api/cameras/:id/ptz/sync': 'operator',

  // Show content: timelines, media, schedules.
  'GET /api/timelines': 'viewer',
  'GET /api/timelines/:id': 'viewer',
  'GET /api/timelines/:id/export': 'viewer',
  'POST /api/timelines': 'operator',
  'PUT /api/timelines/:id': 'operator',
  'DELETE /api/timelines/:id': 'operator',
  'POST /api/timelines/:id/clone': 'operator',
  'POST /api/timelines/validate': 'operator',
  'POST /api/timelines/import': 'operator',
  'POST /api/timelines/preview-frame': 'operator',
  'GET /api/assets': 'viewer',
  'GET /api/assets/:id': 'viewer',
  'GET /api/assets/:id/file': 'viewer',
  'GET /api/assets/:id/thumbnail.jpg': 'viewer',
  'POST /api/assets': 'operator',
  'DELETE /api/assets/:id': 'operator',
  'GET /api/schedules': 'viewer',
  'GET /api/schedules/time-zone': 'viewer',
  'GET /api/schedules/:id': 'viewer',
  'GET /api/schedules/:id/next-runs': 'viewer',
  'GET /api/schedules/:id/events': 'viewer',
  'POST /api/schedules': 'operator',
  'PUT /api/schedules/:id': 'operator',
  'DELETE /api/schedules/:id': 'operator',

  // Configuration: camera credentials, stream keys, appliance settings.
  'GET /api/cameras': 'viewer',
  'GET /api/cameras/:id': 'viewer',
  'GET /api/cameras/:id/snapshot.jpg': 'viewer',
  'POST /api/cameras': 'admin',
  'PATCH /api/cameras/:id': 'admin',
  'DELETE /api/cameras/:id': 'admin',
  'POST /api/cameras/test': 'admin',
  'POST /api/cameras/:id/test': 'admin',
  'GET /api/platforms': 'viewer',
  'GET /api/destinations': 'viewer',
  'GET /api/destinations/:id': 'viewer',
  'POST /api/destinations': 'admin',
  'PATCH /api/destinations/:id': 'admin',
  'DELETE /api/destinations/:id': 'admin',
  // Testing a destination is pre-show work (issue 16); changing one stays admin.
  'POST /api/destinations/:id/test': 'operator',
  'GET /api/settings': 'viewer',
  'PUT /api/settings/:key': 'admin',
  // YouTube channels (issue 17): the list is what the destinations show; the user code lets
  // anyone bind their channel, so connecting and its progress are admin's.
  'GET /api/youtube/connections': 'viewer',
  'POST /api/youtube/connect': 'admin',
  'GET /api/youtube/connect/:attemptId': 'admin',
  'DELETE /api/youtube/connect/:attemptId': 'admin',
  'POST /api/youtube/connections/:id/disconnect': 'admin',
  // The recent log lines (the Log page): redacted as written; operators follow remediations to them.
  'GET /api/logs': 'operator',
  // Issue 17, the daily time-lapse: watching is telemetry, making one is show work, removing admin.
  'GET /api/timelapses': 'viewer',
  'GET /api/timelapses/:day/video': 'viewer',
  'POST /api/timelapses/make-now': 'operator',
  'DELETE /api/timelapses/:day': 'admin',
};

export function routeKey(method: string, url: string): string {
  // Fastify answers HEAD for every GET route: it reads the same thing.
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

/** The role a route needs, or undefined when the table does not list it. */
export function listedRole(method: string, url: string): Role | undefined {
  return ROUTE_ROLES[routeKey(method, url)];
}
