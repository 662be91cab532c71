// Connecting a YouTube channel: the appliance asks Google for a code and polls Google itself; this
// panel shows the code in large type, the address to enter it at, how long it lasts, and the
// progress it reads from the appliance, until the channel is connected, refused or the code ran out.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { Button, ErrorNotice, Notice, Spinner } from '../../components/ui.tsx';
import { formatCountdown, type ConnectAttempt } from './youtube-api.ts';

/** How often the page asks the appliance how connecting goes (the appliance asks Google). */
const PROGRESS_EVERY_MS = 2000;

const ENDED: Record<Exclude<ConnectAttempt['state'], 'pending' | 'connected'>, string> = {
  denied: 'The Google account owner refused access.',
  expired: 'The code ran out before it was entered.',
  failed: 'Connecting failed.',
  cancelled: 'Connecting was cancelled.',
};

export function YouTubeConnect({
  onConnected,
  onClose,
  reconnect,
}: {
  onConnected: (connection: { id: number; label: string }) => void;
  onClose: () => void;
  /** The stored channel being connected again (its tokens are replaced; a show on air on it
   *  carries on with them). */
  reconnect?: number | undefined;
}) {
  const [attempt, setAttempt] = useState<ConnectAttempt | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const reported = useRef<number | null>(null);
  // The channel being connected again is the one chosen when the panel opened.
  const reconnecting = useRef(reconnect);

  const start = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    try {
      setAttempt(
        await api.post<ConnectAttempt>(
          '/api/youtube/connect',
          reconnecting.current === undefined ? {} : { reconnect: reconnecting.current },
        ),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setStarting(false);
    }
  };

  useEffect(() => {
    void start();
  }, []);

  // Polls while an attempt is pending; a new attempt (a new code) restarts it.
  const pendingId = attempt?.state === 'pending' ? attempt.id : null;
  useEffect(() => {
    if (pendingId === null) return;
    const progress = setInterval(() => {
      api
        .get<ConnectAttempt>(`/api/youtube/connect/${pendingId}`)
        .then(setAttempt)
        .catch((failure: unknown) => setError(failure));
    }, PROGRESS_EVERY_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(progress);
      clearInterval(tick);
    };
  }, [pendingId]);

  useEffect(() => {
    if (attempt?.state === 'connected' && attempt.connection && reported.current !== attempt.connection.id) {
      reported.current = attempt.connection.id;
      onConnected(attempt.connection);
    }
  }, [attempt, onConnected]);

  const cancel = async (): Promise<void> => {
    if (attempt?.state === 'pending') {
      try {
        setAttempt(await api.delete<ConnectAttempt>(`/api/youtube/connect/${attempt.id}`));
      } catch {
        // The appliance forgets the attempt anyway when the code runs out.
      }
    }
    onClose();
  };

  const secondsLeft = attempt ? Math.max(0, (Date.parse(attempt.expiresAt) - now) / 1000) : 0;
  return (
    <section className="youtube-connect" aria-labelledby="youtube-connect-title">
      <h3 id="youtube-connect-title">Connect a YouTube channel</h3>
      <ErrorNotice error={error} />
      {starting && !attempt ? <Spinner label="Asking Google for a code…" /> : null}
      {attempt && attempt.state === 'pending' ? (
        <>
          <p>
            On a phone or computer, open{' '}
            <a href={attempt.verificationUrl} target="_blank" rel="noreferrer">
              {attempt.verificationUrl}
            </a>
            , sign in with the Google account that owns the channel and enter this code:
          </p>
          <p className="youtube-code">{attempt.userCode}</p>
          <p className="youtube-connect-progress" role="status">
            <Spinner /> Waiting for the code to be entered — it runs out in{' '}
            <strong>{formatCountdown(secondsLeft)}</strong>. The appliance checks with Google every{' '}
            {attempt.intervalSeconds} s.
          </p>
        </>
      ) : null}
      {attempt && attempt.state === 'connected' && attempt.connection ? (
        <Notice kind="success">
          <span>
            {attempt.reconnected ? 'Connected again' : 'Connected'}:{' '}
            <strong>{attempt.connection.label}</strong>. Broadcasts of this destination run on this channel
            {attempt.reconnected ? ', and a show on air on it carries on with the new access' : ''}.
          </span>
        </Notice>
      ) : null}
      {attempt && attempt.state !== 'pending' && attempt.state !== 'connected' ? (
        <div className="notice notice-error" role="alert">
          <div>
            <strong>{attempt.message ? sentence(attempt.message) : ENDED[attempt.state]}</strong>
            {attempt.remediation ? <p>{attempt.remediation}</p> : null}
          </div>
        </div>
      ) : null}
      <div className="form-actions">
        {attempt && attempt.state !== 'pending' && attempt.state !== 'connected' ? (
          <Button variant="primary" onClick={() => void start()} busy={starting}>
            Get a new code
          </Button>
        ) : null}
        {!attempt && error ? (
          <Button onClick={() => void start()} busy={starting}>
            Try again
          </Button>
        ) : null}
        <Button onClick={() => void cancel()}>{attempt?.state === 'connected' ? 'Close' : 'Cancel'}</Button>
      </div>
    </section>
  );
}

/** The appliance words messages as clauses; shown as a sentence. */
function sentence(clause: string): string {
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}${/[.!?]$/.test(clause) ? '' : '.'}`;
}
