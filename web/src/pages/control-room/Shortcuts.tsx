// Keyboard shortcuts in the control room (issue 16) and their "?" sheet. They act only while a
// show of yours is on air, never while typing in a field or with a dialog open (its own keys win),
// and each action is announced to screen readers.
import { useEffect, useRef, useState } from 'react';
import type { LiveState } from '../../../../src/domain/live.ts';
import { api } from '../../api/client.ts';
import { Button, Dialog } from '../../components/ui.tsx';
import type { ShowCamera } from './show-info.ts';

export interface Shortcut {
  keys: string[];
  what: string;
}

export function shortcutList(cameras: readonly ShowCamera[]): Shortcut[] {
  const numbered = cameras.slice(0, 9);
  return [
    { keys: ['E'], what: 'Emergency test pattern on / off' },
    { keys: ['Space', 'P'], what: 'Pause or resume the timeline' },
    { keys: ['S'], what: 'Stop the show (asks first)' },
    { keys: ['T', 'Esc'], what: 'Return to the timeline (ends every override)' },
    ...numbered.map((camera, index) => ({
      keys: [String(index + 1)],
      what: `Force ${camera.label} on air until the next cue`,
    })),
    ...numbered.map((camera, index) => ({
      keys: [`Shift + ${index + 1}`],
      what: `Pin ${camera.label}`,
    })),
    { keys: ['?'], what: 'Show this list' },
  ];
}

/** Keys typed into a field, a list or an editable area belong to it. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function cameraDigit(code: string): number | null {
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(code);
  return match ? Number(match[1]) : null;
}

export function ControlRoomShortcuts({
  live,
  cameras,
  onStop,
}: {
  live: LiveState;
  cameras: readonly ShowCamera[];
  /** Opens the stop confirmation (the shortcut never stops without it). */
  onStop: () => void;
}) {
  const [sheetOpen, setSheetOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const show = live.state === 'live' && live.show && !live.show.demo ? live.show : null;
  // The listener reads the newest state without being installed again on every push.
  const current = useRef({ show, cameras, onStop });
  current.current = { show, cameras, onStop };

  useEffect(() => {
    const send = (path: string, body: unknown, done: string): void => {
      setAnnouncement(`${done}…`);
      api.post(path, body).then(
        () => setAnnouncement(done),
        (error: unknown) =>
          setAnnouncement(
            `Failed: ${done.toLowerCase()} — ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target) || document.querySelector('dialog[open]')) return;
      if (event.key === '?') {
        event.preventDefault();
        setSheetOpen(true);
        return;
      }
      const { show: onAir, cameras: list, onStop: stop } = current.current;
      if (!onAir) return;
      const digit = cameraDigit(event.code);
      const key = event.key.toLowerCase();
      if (digit !== null) {
        const camera = list[digit - 1];
        if (!camera) {
          setAnnouncement(`No camera ${digit} in this show`);
          return;
        }
        event.preventDefault();
        if (event.shiftKey)
          send('/api/show/overrides/pin-camera', { cameraId: camera.id }, `${camera.label} pinned`);
        else
          send(
            '/api/show/overrides/force-camera',
            { cameraId: camera.id },
            `${camera.label} forced on air until the next cue`,
          );
        return;
      }
      if (event.shiftKey) return;
      if (key === 'e') {
        event.preventDefault();
        const on = !onAir.overrides.emergency;
        send(
          '/api/show/overrides/emergency',
          { on },
          on ? 'Emergency test pattern on air' : 'Emergency test pattern off',
        );
      } else if (key === ' ' || key === 'p') {
        // Space on a focused button presses that button.
        if (key === ' ' && event.target instanceof HTMLButtonElement) return;
        event.preventDefault();
        if (onAir.paused) send('/api/show/resume', undefined, 'Timeline resumed');
        else send('/api/show/pause', undefined, 'Timeline paused');
      } else if (key === 's') {
        event.preventDefault();
        setAnnouncement('Stop the show? Confirm or keep streaming.');
        stop();
      } else if (key === 't' || key === 'escape') {
        event.preventDefault();
        send(
          '/api/show/overrides/return-to-timeline',
          undefined,
          'Back to the timeline: every override ended',
        );
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const shortcuts = shortcutList(cameras);
  return (
    <>
      <Button
        className="cr-secondary cr-shortcuts-btn"
        aria-keyshortcuts="?"
        onClick={() => setSheetOpen(true)}
      >
        Keyboard shortcuts (?)
      </Button>
      <p className="visually-hidden" role="status" data-testid="shortcut-announcer">
        {announcement}
      </p>
      <Dialog title="Keyboard shortcuts" open={sheetOpen} onClose={() => setSheetOpen(false)}>
        <p className="hint cr-small">
          They work while a show of yours is on air, not while you type in a field.
        </p>
        <table className="cr-shortcuts">
          <caption className="visually-hidden">Control room keyboard shortcuts</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {shortcuts.map((shortcut) => (
              <tr key={shortcut.keys.join()}>
                <td>
                  {shortcut.keys.map((key, index) => (
                    <span key={key}>
                      {index > 0 ? ' or ' : ''}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </td>
                <td>{shortcut.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="cr-row cr-gap-top">
          <Button variant="primary" onClick={() => setSheetOpen(false)}>
            Close
          </Button>
        </div>
      </Dialog>
    </>
  );
}
