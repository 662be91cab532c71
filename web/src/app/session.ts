// Who is signed in. The shell asks /api/auth/status at start and after sign-in/out; the CSRF
// token it returns goes to the API client for every change.
import { createContext, useContext } from 'react';

export interface SessionUser {
  id: number;
  username: string;
}

export interface Session {
  user: SessionUser;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
