// How the Settings page names roles: a short label and what each may do (the server's table is
// src/api/auth/roles.ts; README "Web API" has the whole list).
import type { Role } from '../../api/client.ts';

export const ROLE_LABEL: Record<Role, string> = {
  viewer: 'Viewer',
  operator: 'Operator',
  admin: 'Admin',
};

export const ROLE_ALLOWS: Record<Role, string> = {
  viewer: 'telemetry and /metrics, reads only',
  operator: 'runs shows: GO LIVE, stop, overrides, quality, PTZ, timelines, media, schedules',
  admin: 'everything: cameras, destinations, settings, users and API tokens',
};
