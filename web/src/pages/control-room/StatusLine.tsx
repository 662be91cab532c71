// The control room's status line (issue 16): one sentence that tells the truth at a glance —
// LIVE only while a destination really receives the stream (computed by the appliance: live and
// its bytes grew in the last 5 s), the destinations that do not with their ✗ and why, and the
// Emergency button. On a phone it sticks to the top of the screen.
import type { LiveState } from '../../../../src/domain/live.ts';
import { Button } from '../../components/ui.tsx';

type Tone = 'live' | 'partial' | 'down' | 'connecting' | 'idle' | 'warn';

const BADGE: Record<Tone, string> = {
  live: 'badge-live',
  partial: 'badge-live cr-badge-partial',
  down: 'badge-error',
  connecting: 'badge-warn',
  warn: 'badge-warn',
  idle: 'badge-idle',
};

export function statusLine(live: LiveState): { text: string; tone: Tone } {
  const show = live.show;
  switch (live.state) {
    case 'live':
      if (!show) return { text: 'Starting', tone: 'warn' };
      if (show.demo) return { text: 'Demo show', tone: 'idle' };
      return {
        text: show.broadcast.sentence,
        tone: show.broadcast.tone === 'preview' ? 'idle' : show.broadcast.tone,
      };
    case 'countdown':
      return { text: 'Countdown', tone: 'warn' };
    case 'starting':
      return { text: 'Starting', tone: 'warn' };
    case 'stopping':
      return { text: 'Stopping', tone: 'warn' };
    default:
      return { text: 'Off air', tone: 'idle' };
  }
}

export function StatusLine({
  live,
  emergencyBusy,
  onEmergency,
}: {
  live: LiveState;
  emergencyBusy: boolean;
  /** Turns the emergency test pattern on or off (shown while a show of yours is on air); absent for a viewer. */
  onEmergency?: ((on: boolean) => void) | undefined;
}) {
  const line = statusLine(live);
  const show = live.show;
  const realShow = live.state === 'live' && show !== null && !show.demo;
  const down = realShow ? show.broadcast.notDelivering : [];
  const emergency = realShow && show.overrides.emergency;
  return (
    <div className={`cr-statusbar cr-statusbar-${line.tone}`} data-testid="status-line">
      <span
        className={`badge cr-big-badge ${BADGE[line.tone]}`}
        data-testid="show-state"
        role="status"
        aria-live="polite"
      >
        {line.text}
      </span>
      {down.length > 0 ? (
        <ul className="cr-statusbar-list" aria-label="Destinations not receiving the stream">
          {down.map((output) => (
            <li key={output.id}>
              <span className="cr-tick-bad" aria-hidden="true">
                ✗
              </span>{' '}
              <strong>{output.name}</strong> <span className="cr-statusbar-why">{output.why}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {realShow && onEmergency ? (
        <div className="cr-statusbar-emergency">
          {emergency ? (
            <strong className="cr-emergency-state">EMERGENCY — the test pattern is on air</strong>
          ) : null}
          <Button
            variant="danger"
            className="cr-emergency-btn"
            aria-pressed={emergency}
            aria-keyshortcuts="E"
            disabled={emergencyBusy}
            onClick={() => onEmergency(!emergency)}
          >
            {emergency ? 'Turn off the emergency test pattern' : 'Emergency: show the test pattern'}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
