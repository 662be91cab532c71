// Manual overrides for the show on air: the emergency test pattern, force / pin a camera, clear
// and restore overlays, change the text of an overlay on air. Each shows when it is in effect
// (from the live feed), so a second operator's screen tells the same story.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { LiveShow } from '../../../../src/domain/live.ts';
import { api } from '../../api/client.ts';
import { Button, ErrorNotice, useAction } from '../../components/ui.tsx';
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
  active,
}: {
  label: string;
  choices: readonly ShowCamera[];
  choice: number | null;
  onChoose: (cameraId: number) => void;
  button: string;
  disabled: boolean;
  onApply: () => void;
  /** Further buttons in the row (Unpin). */
  more?: ReactNode;
  /** The line saying the override is in effect, when it is. */
  active: ReactNode;
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
      {active}
    </div>
  );
}

export function OverridesPanel({ show, cameras }: { show: LiveShow; cameras?: readonly ShowCamera[] }) {
  const action = useAction();
  const choices = cameraChoices(show, cameras);
  const [forceId, setForceId] = useState<number | null>(null);
  const [pinId, setPinId] = useState<number | null>(null);
  const [editedCues, setEditedCues] = useState<Set<string>>(new Set());
  const forceChoice = forceId ?? choices[0]?.id ?? null;
  const pinChoice = pinId ?? show.camera.onAir?.cameraId ?? choices[0]?.id ?? null;
  const { overrides } = show;
  const nameOf = (id: number): string => choices.find((c) => c.id === id)?.label ?? `Camera ${id}`;
  const post = (path: string, body?: unknown) => void action.run(() => api.post(path, body));
  const textOverlays = show.overlays.filter((overlay) => TEXT_TYPES.has(overlay.type));

  return (
    <section className="card cr-overrides" aria-labelledby="cr-overrides-title">
      <h2 id="cr-overrides-title">Manual overrides</h2>
      <ErrorNotice error={action.error} onDismiss={action.clearError} />

      <div className={`cr-override cr-emergency${overrides.emergency ? ' cr-emergency-on' : ''}`}>
        <Button
          variant="danger"
          className="cr-emergency-btn"
          aria-pressed={overrides.emergency}
          disabled={action.busy}
          onClick={() => post('/api/show/overrides/emergency', { on: !overrides.emergency })}
        >
          {overrides.emergency ? 'Turn off the emergency test pattern' : 'Emergency: show the test pattern'}
        </Button>
        <p className={overrides.emergency ? 'cr-emergency-state' : 'hint cr-small'} role="status">
          {overrides.emergency
            ? 'EMERGENCY — the test pattern is on air instead of the program.'
            : 'Replaces everything on air with the test pattern at once.'}
        </p>
      </div>

      <CameraOverride
        label="Force camera (until the next cue)"
        choices={choices}
        choice={forceChoice}
        onChoose={setForceId}
        button="Force on air"
        disabled={action.busy}
        onApply={() => post('/api/show/overrides/force-camera', { cameraId: forceChoice })}
        active={
          overrides.forcedCameraId !== null ? (
            <p className="cr-active" role="status">
              <span className="badge badge-warn">Active</span> {nameOf(overrides.forcedCameraId)} forced on
              air until the next cue.
            </p>
          ) : null
        }
      />

      <CameraOverride
        label="Pin camera (stays on air until unpinned)"
        choices={choices}
        choice={pinChoice}
        onChoose={setPinId}
        button="Pin"
        disabled={action.busy}
        onApply={() => post('/api/show/overrides/pin-camera', { cameraId: pinChoice })}
        more={
          overrides.pinnedCameraId !== null ? (
            <Button
              variant="primary"
              disabled={action.busy}
              onClick={() => post('/api/show/overrides/pin-camera', { cameraId: null })}
            >
              Unpin
            </Button>
          ) : null
        }
        active={
          overrides.pinnedCameraId !== null ? (
            <p className="cr-active" role="status">
              <span className="badge badge-warn">Active</span> {nameOf(overrides.pinnedCameraId)} pinned: the
              timeline’s camera cues are ignored until you unpin.
            </p>
          ) : null
        }
      />

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
          {overrides.hiddenOverlayCues.length > 0 ? (
            <Button
              variant="primary"
              disabled={action.busy}
              onClick={() => post('/api/show/overrides/restore-overlays')}
            >
              Restore overlays
            </Button>
          ) : null}
        </div>
        {overrides.hiddenOverlayCues.length > 0 ? (
          <p className="cr-active" role="status">
            <span className="badge badge-warn">Active</span> {overrides.hiddenOverlayCues.length} overlay
            {overrides.hiddenOverlayCues.length === 1 ? '' : 's'} cleared (they come back when their cues play
            again, or with Restore).
          </p>
        ) : null}
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
