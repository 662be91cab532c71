// The shell: first run / sign-in gate, the navigation, and the page for the current path.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionLost, setCsrfToken } from '../api/client.ts';
import { useLiveState, type LiveFeed } from '../api/live.ts';
import { ErrorNotice, Link, Spinner } from '../components/ui.tsx';
import { Assets } from '../pages/assets/Assets.tsx';
import { SignIn } from '../pages/auth/SignIn.tsx';
import { Cameras } from '../pages/cameras/Cameras.tsx';
import { ControlRoom } from '../pages/control-room/ControlRoom.tsx';
import { Destinations } from '../pages/destinations/Destinations.tsx';
import { History } from '../pages/history/History.tsx';
import { Log } from '../pages/log/Log.tsx';
import { Schedules } from '../pages/schedules/Schedules.tsx';
import { Settings } from '../pages/settings/Settings.tsx';
import { Timelapse } from '../pages/timelapse/Timelapse.tsx';
import { Builder } from '../pages/timelines/Builder.tsx';
import { Library } from '../pages/timelines/Library.tsx';
import { QuickShow } from '../pages/timelines/quick-show/QuickShow.tsx';
import { LiveContext } from './live-context.ts';
import { matchPath, usePath } from './router.ts';
import { SessionContext, roleAllows, type Role, type Session, type SessionUser } from './session.ts';

interface AuthStatus {
  setupRequired: boolean;
  authenticated: boolean;
  user: SessionUser | null;
  role?: Role | null;
  csrfToken: string | null;
}

const NAV: Array<{ to: string; label: string; match: (path: string) => boolean; role?: Role }> = [
  { to: '/', label: 'Control room', match: (path) => path === '/' },
  { to: '/timelines', label: 'Timelines', match: (path) => path.startsWith('/timelines') },
  { to: '/cameras', label: 'Cameras', match: (path) => path.startsWith('/cameras') },
  { to: '/destinations', label: 'Destinations', match: (path) => path.startsWith('/destinations') },
  { to: '/assets', label: 'Media', match: (path) => path.startsWith('/assets') },
  { to: '/schedules', label: 'Schedules', match: (path) => path.startsWith('/schedules') },
  { to: '/history', label: 'History', match: (path) => path.startsWith('/history') },
  { to: '/timelapse', label: 'Time-lapse', match: (path) => path === '/timelapse' },
  { to: '/settings', label: 'Settings', match: (path) => path.startsWith('/settings') },
  // The log answers operators and up (GET /api/logs); a viewer would only meet a refusal there.
  { to: '/log', label: 'Log', match: (path) => path === '/log', role: 'operator' },
];

function pageFor(path: string): ReactNode {
  if (path === '/') return <ControlRoom />;
  if (path === '/timelines') return <Library />;
  if (path === '/timelines/new') return <Builder timelineId={null} />;
  if (path === '/timelines/quick-show') return <QuickShow />;
  const timeline = matchPath('/timelines/:id', path);
  if (timeline && /^\d+$/.test(timeline['id']!)) return <Builder timelineId={Number(timeline['id'])} />;
  if (path === '/cameras') return <Cameras />;
  if (path === '/destinations') return <Destinations />;
  if (path === '/assets') return <Assets />;
  if (path === '/schedules') return <Schedules />;
  if (path === '/history') return <History />;
  if (path === '/timelapse') return <Timelapse />;
  if (path === '/settings') return <Settings />;
  if (path === '/log') return <Log />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Go to the control room</Link>.
      </p>
    </section>
  );
}

function OnAirBadge({ live }: { live: LiveFeed }) {
  const state = live.state?.state ?? 'idle';
  const onAir = state === 'live' && live.state?.show && !live.state.show.demo;
  // Issue 16: LIVE only while a destination really receives the stream (the appliance decides).
  const broadcast = onAir ? live.state?.show?.broadcast : undefined;
  const delivering = broadcast !== undefined && broadcast.delivering > 0;
  const label = !live.connected
    ? 'Connecting…'
    : onAir
      ? delivering
        ? 'LIVE'
        : broadcast?.tone === 'preview'
          ? 'On air (preview only)'
          : broadcast?.tone === 'connecting'
            ? 'Connecting…'
            : 'Not delivering'
      : state === 'live'
        ? 'Demo running'
        : state === 'countdown'
          ? 'Starting soon'
          : state === 'starting'
            ? 'Starting'
            : state === 'stopping'
              ? 'Stopping'
              : 'Off air';
  return (
    <span
      className={`badge ${delivering ? 'badge-live' : onAir && broadcast?.tone === 'down' ? 'badge-error' : 'badge-idle'}`}
      aria-live="polite"
      data-testid="nav-onair"
    >
      {label}
    </span>
  );
}

function Shell({ session, live }: { session: Session; live: LiveFeed }) {
  const path = usePath();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <nav className="nav" aria-label="Main">
        <div className="brand">
          <span className="brand-dot" aria-hidden="true" /> VistterStream
        </div>
        <OnAirBadge live={live} />
        <ul>
          {NAV.filter((item) => !item.role || roleAllows(session.role, item.role)).map((item) => (
            <li key={item.to}>
              <Link to={item.to} ariaCurrent={item.match(path)} className="nav-link">
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="nav-footer">
          <span>{session.user.username}</span>
          <button type="button" className="btn btn-plain" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {pageFor(path)}
      </main>
    </div>
  );
}

function SignedIn({ session }: { session: Session }) {
  const live = useLiveState();
  return (
    <SessionContext.Provider value={session}>
      <LiveContext.Provider value={live}>
        <Shell session={session} live={live} />
      </LiveContext.Provider>
    </SessionContext.Provider>
  );
}

export function App() {
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      const next = await api.get<AuthStatus>('/api/auth/status');
      setCsrfToken(next.csrfToken);
      setStatus(next);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }, []);

  useEffect(() => {
    void refresh();
    onSessionLost(() => void refresh());
    return () => onSessionLost(null);
  }, [refresh]);

  const session = useMemo<Session | null>(() => {
    if (!status?.authenticated || !status.user) return null;
    return {
      user: status.user,
      role: status.role ?? status.user.role ?? 'viewer',
      signOut: async () => {
        await api.post('/api/auth/logout').catch(() => undefined);
        setCsrfToken(null);
        await refresh();
      },
    };
  }, [status, refresh]);

  if (error && !status)
    return (
      <main className="signin">
        <ErrorNotice error={error} />
        <button type="button" className="btn btn-primary" onClick={() => void refresh()}>
          Try again
        </button>
      </main>
    );
  if (!status)
    return (
      <main className="signin">
        <Spinner label="Connecting to the appliance…" />
      </main>
    );
  if (!session)
    return (
      <SignIn
        firstRun={status.setupRequired}
        onSignedIn={(result) => {
          setCsrfToken(result.csrfToken);
          setStatus({
            setupRequired: false,
            authenticated: true,
            user: result.user,
            csrfToken: result.csrfToken,
          });
        }}
      />
    );
  return <SignedIn session={session} />;
}
