// Manual overrides for the show on air (one model, override-model.ts): what is on air and why,
// every override in effect with its place in the precedence and its cancel, one "Return to the
// timeline" that ends them all; force / pin a camera, clear overlays, change the text of an overlay
// on air. The emergency button is in the status line (StatusLine.tsx). Everything follows the live
// feed, so a second operator's screen tells the same story.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { LiveShow } from '../../../../src/domain/live.ts';
import { api } from '../../api/client.ts';
import { Button, ErrorNotice, useAction } from '../../components/ui.tsx';
import { onAirReason, overrideRows, type OverrideRow } from './override-model.ts';
import type { ShowCamera } from './show-info.ts';
import { overlayTypeLabel } from './Status.tsx';

const TEXT_TYPES = new Set(['text', 'lower_third', 'dynamic_text']);

function cameraChoices(show: LiveShow, known: readonly ShowCamera[] | undefined): ShowCamera[] {
  if (known && known.length > 0) return [...known];
  const seen = new Map<number, string>();
  for (const source of [show.camera.scheduled, show.camera.onAir])
    if (source?.kind === 'camera' && source.cameraId !== null) seen.set(source.cameraId, source.label);
  return [...seen].map(([id, label]) => ({ id, label }));
}

function OverlayTextEditor({
  overlay,
  edited,
  onEdited,
}: {
  overlay: LiveShow['overlays'][number];
  edited: boolean;
  onEdited: (cueId: string, edited: boolean) => void;
}) {
  const [text, setText] = useState(overlay.text ?? '');
  const [dirty, setDirty] = useState(false);
  const action = useAction();
  const id = useId();
  useEffect(() => {
    if (!dirty) setText(overlay.text ?? '');
  }, [overlay.text, dirty]);
  const save = async (value: string | null): Promise<void> => {
    const done = await action.run(() =>
      api.post('/api/show/overrides/overlay-text', { cueId: overlay.cueId, text: value }),
    );
    if (done !== undefined) {
      setDirty(false);
      onEdited(overlay.cueId, value !== null);
    }
  };
  return (
    <form
      className="cr-overlay-edit"
      onSubmit={(event) => {
        event.preventDefault();
        void save(text);
      }}
    >
      <label htmlFor={id}>
        {overlayTypeLabel(overlay.type)} overlay “{overlay.cueId}”{' '}
        {edited ? <span className="badge badge-warn">Changed live</span> : null}
      </label>
      <div className="cr-row">
        <input
          id={id}
          className="cr-input"
          value={text}
          maxLength={500}
          onChange={(event) => {
            setText(event.target.value);
            setDirty(true);
          }}
        />
        <Button type="submit" variant="primary" busy={action.busy} disabled={!dirty || text.trim() === ''}>
          Update text
        </Button>
        {edited ? (
          <Button className="cr-secondary" disabled={action.busy} onClick={() => void save(null)}>
            Back to the timeline’s text
          </Button>
        ) : null}
      </div>
      <ErrorNotice error={action.error} onDismiss={action.clearError} />
    </form>
  );
}

/** Force or pin: a camera chosen from the show's cameras, its button, and what is in effect. */
function CameraOverride({
  label,
  choices,
  choice,
  onChoose,
  button,
  disabled,
  onApply,
  more,
}: {
  label: string;
  choices: readonly ShowCamera[];
  choice: number | null;
  onChoose: (cameraId: number) => void;
  button: string;
  disabled: boolean;
  onApply: () => void;
  /** Further buttons in the row. */
  more?: ReactNode;
}) {
  const select = useId();
  return (
    <div className="cr-override">
      <label htmlFor={select}>{label}</label>
      <div className="cr-row">
        <select
          id={select}
          className="cr-input"
          value={choice ?? ''}
          onChange={(event) => onChoose(Number(event.target.value))}
          disabled={choices.length === 0}
        >
          {choices.map((camera) => (
            <option key={camera.id} value={camera.id}>
              {camera.label}
            </option>
          ))}
        </select>
        <Button className="cr-secondary" disabled={choice === null || disabled} onClick={onApply}>
          {button}
        </Button>
        {more}
      </div>
    </div>
  );
}

const STATE_BADGE: Record<OverrideRow['state'], string> = {
  'on-air': 'badge-live',
  waiting: 'badge-idle',
  pending: 'badge-warn',
  active: 'badge-warn',
};

export function OverridesPanel({ show, cameras }: { show: LiveShow; cameras?: readonly ShowCamera[] }) {
  const action = useAction();
  const choices = cameraChoices(show, cameras);
  const [forceId, setForceId] = useState<number | null>(null);
  const [pinId, setPinId] = useState<number | null>(null);
  const [editedCues, setEditedCues] = useState<Set<string>>(new Set());
  const forceChoice = forceId ?? choices[0]?.id ?? null;
  const pinChoice = pinId ?? show.camera.onAir?.cameraId ?? choices[0]?.id ?? null;
  const nameOf = (id: number): string => choices.find((c) => c.id === id)?.label ?? `Camera ${id}`;
  const post = (path: string, body?: unknown) => void action.run(() => api.post(path, body));
  const textOverlays = show.overlays.filter((overlay) => TEXT_TYPES.has(overlay.type));
  const rows = overrideRows(show, nameOf);
  const onAir = show.camera.onAir?.label ?? '—';

  return (
    <section className="card cr-overrides" aria-labelledby="cr-overrides-title">
      <h2 id="cr-overrides-title">Manual overrides</h2>
      <ErrorNotice error={action.error} onDismiss={action.clearError} />

      <div className={`cr-override cr-onair${show.onAirBecause === 'timeline' ? '' : ' cr-onair-override'}`}>
        <span className="cr-label">On air now</span>
        <div className="cr-onair-name" data-testid="override-on-air">
          {onAir}
        </div>
        <p className="cr-small cr-onair-why" data-testid="on-air-because">
          {onAirReason(show, nameOf)}
        </p>
        {rows.length > 0 ? (
          <>
            <ul className="cr-override-rows" aria-label="Overrides in effect">
              {rows.map((row) => (
                <li key={row.kind} className="cr-override-row" data-kind={row.kind} data-state={row.state}>
                  <div>
                    <strong>{row.what}</strong>
                    <div>
                      <span className={`badge ${STATE_BADGE[row.state]}`}>{row.stateText}</span>
                    </div>
                  </div>
                  <Button
                    className="cr-secondary"
                    disabled={action.busy}
                    onClick={() => post(row.cancel.path, row.cancel.body)}
                  >
                    {row.cancel.label}
                  </Button>
                </li>
              ))}
            </ul>
            <Button
              variant="primary"
              className="cr-return-btn"
              aria-keyshortcuts="T Escape"
              disabled={action.busy}
              onClick={() => post('/api/show/overrides/return-to-timeline')}
            >
              Return to the timeline
            </Button>
          </>
        ) : (
          <p className="hint cr-small">No override: the timeline decides.</p>
        )}
      </div>

      <CameraOverride
        label="Force camera (until the next cue)"
        choices={choices}
        choice={forceChoice}
        onChoose={setForceId}
        button="Force on air"
        disabled={action.busy}
        onApply={() => post('/api/show/overrides/force-camera', { cameraId: forceChoice })}
      />

      <CameraOverride
        label="Pin camera (stays on air until unpinned)"
        choices={choices}
        choice={pinChoice}
        onChoose={setPinId}
        button="Pin"
        disabled={action.busy}
        onApply={() => post('/api/show/overrides/pin-camera', { cameraId: pinChoice })}
      />
      <p className="hint cr-small">
        Emergency covers a pin, a pin covers a force. Pinning ends a force; a force made while pinned waits
        under the pin and ends with its cue.
      </p>

      <div className="cr-override">
        <span className="cr-label">Overlays</span>
        <div className="cr-row">
          <Button
            className="cr-secondary"
            disabled={action.busy || show.overlays.length === 0}
            onClick={() => post('/api/show/overrides/clear-overlays')}
          >
            Clear all overlays
          </Button>
        </div>
        <p className="hint cr-small">
          Cleared overlays come back when their cues play again, or with Restore.
        </p>
      </div>

      {textOverlays.length > 0 ? (
        <div className="cr-override">
          <span className="cr-label">Overlay text on air</span>
          {textOverlays.map((overlay) => (
            <OverlayTextEditor
              key={overlay.cueId}
              overlay={overlay}
              edited={editedCues.has(overlay.cueId)}
              onEdited={(cueId, edited) =>
                setEditedCues((previous) => {
                  const next = new Set(previous);
                  if (edited) next.add(cueId);
                  else next.delete(cueId);
                  return next;
                })
              }
            />
          ))}
        </div>
      ) : null}
    </section>
  );
}
