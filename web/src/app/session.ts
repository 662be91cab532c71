// Who is signed in, and with which role. The shell asks /api/auth/status at start and after
// sign-in/out; the CSRF token it returns goes to the API client for every change. The role only
// decides what the pages offer (a control the role may not use is not shown); the appliance's
// 403 stays the real guard.
import { createContext, createElement, Fragment, useContext, type ReactNode } from 'react';
import type { Role } from '../api/client.ts';

export type { Role };

export interface SessionUser {
  id: number;
  username: string;
  role?: Role;
}

export interface Session {
  user: SessionUser;
  /** What the appliance says this user may do (least access when it did not say). */
  role: Role;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a role may do what needs `needed` (viewer < operator < admin, as src/api/auth/roles.ts). */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** Whether the signed-in user holds at least `needed` (false outside a signed-in page). */
export function useCan(needed: Role): boolean {
  const session = useContext(SessionContext);
  return session !== null && roleAllows(session.role, needed);
}

/** Shows its children only to users holding at least `role`; others see `otherwise` (default nothing). */
export function RequireRole({
  role,
  children,
  otherwise = null,
}: {
  role: Role;
  children?: ReactNode;
  otherwise?: ReactNode;
}): ReactNode {
  return createElement(Fragment, null, useCan(role) ? children : otherwise);
}
