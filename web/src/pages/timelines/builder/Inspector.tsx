// The inspector: the selected cue's parameters, the selected overlay track's settings, or the
// timeline's own settings. Every field shows the appliance's problem for its JSON path next to it.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { Button, Field, SelectField } from '../../../components/ui.tsx';
import { assetName, cameraName, type Catalog } from './catalog.ts';
import { cueTitle } from './cues.ts';
import {
  findCue,
  formatTime,
  NAMED_POSITIONS,
  OVERLAY_LABELS,
  parseTime,
  POSITION_LABELS,
  roundTime,
  type Cue,
  type Model,
  type OverlayCue,
  type PlacedIssue,
} from './model.ts';
import type { Selection } from './Lanes.tsx';
import {
  removeCue,
  setCueTimes,
  setParams,
  setSettings,
  updateCue,
  updateOverlayTrack,
  type Editor,
} from './state.ts';

/** A time typed as 90, 1:30 or 1:02:03.5; applied on Enter or when leaving the field. */
export function TimeField({
  label,
  value,
  onChange,
  error,
  hint,
  min = 0,
}: {
  label: string;
  value: number;
  onChange: (seconds: number) => void;
  error?: string | undefined;
  hint?: ReactNode;
  min?: number;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  const apply = () => {
    if (draft === null) return;
    const seconds = parseTime(draft);
    if (seconds === null || seconds < min) {
      setLocal('type a time like 90, 1:30 or 1:02:03');
      return;
    }
    setLocal(null);
    setDraft(null);
    if (roundTime(seconds) !== value) onChange(roundTime(seconds));
  };
  return (
    <Field
      label={label}
      value={draft ?? formatTime(value)}
      inputMode="decimal"
      error={local ?? error}
      hint={hint ?? 'm:ss, or seconds'}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={apply}
      onKeyDown={(event) => {
        if (event.key === 'Enter') apply();
        if (event.key === 'Escape') {
          setDraft(null);
          setLocal(null);
        }
      }}
    />
  );
}

function NumberField({
  label,
  value,
  onChange,
  error,
  hint,
  step = 'any',
  min,
  max,
  placeholder,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  error?: string | undefined;
  hint?: ReactNode;
  step?: string;
  min?: number;
  max?: number;
  placeholder?: string;
}) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(
    () =>
      setText((current) => (Number(current) === value ? current : value === undefined ? '' : String(value))),
    [value],
  );
  return (
    <Field
      label={label}
      type="number"
      value={text}
      step={step}
      min={min}
      max={max}
      placeholder={placeholder}
      error={error}
      hint={hint}
      onChange={(event) => {
        setText(event.target.value);
        const raw = event.target.value.trim();
        onChange(raw === '' ? undefined : Number(raw));
      }}
    />
  );
}

function Switch({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <label className="insp-switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      {label}
    </label>
  );
}

function ColorField({
  label,
  value,
  onChange,
  error,
  allowNone,
}: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  error?: string | undefined;
  allowNone?: string;
}) {
  const id = useId();
  const solid = value && /^#[0-9a-f]{6}/i.test(value) ? value.slice(0, 7) : '#000000';
  return (
    <div className={`field insp-color${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="insp-color-row">
        <input
          type="color"
          aria-label={`Pick the ${label.toLowerCase()}`}
          value={solid}
          onChange={(event) =>
            onChange(
              `${event.target.value.toUpperCase()}${value && value.length === 9 ? value.slice(7) : ''}`,
            )
          }
        />
        <input
          id={id}
          value={value ?? ''}
          placeholder={allowNone ?? '#RRGGBB'}
          aria-invalid={error ? true : undefined}
          onChange={(event) =>
            onChange(event.target.value.trim() === '' ? undefined : event.target.value.trim())
          }
        />
      </div>
      {error ? (
        <small className="field-error">{error}</small>
      ) : (
        <small className="hint">
          #RRGGBB, #RRGGBBAA (with transparency){allowNone ? `, or empty: ${allowNone}` : ''}
        </small>
      )}
    </div>
  );
}

export interface InspectorProps {
  editor: Editor;
  catalog: Catalog;
  selection: Selection;
  onSelect: (selection: Selection) => void;
  issues: readonly PlacedIssue[];
  onRemoveTrack: (uid: string) => void;
}

export function Inspector(props: InspectorProps) {
  const { editor, selection } = props;
  const [tab, setTab] = useState<'selection' | 'timeline'>('selection');
  const found = selection?.kind === 'cue' ? findCue(editor.model, selection.uid) : null;
  const track =
    selection?.kind === 'track' ? editor.model.overlays.find((t) => t.uid === selection.uid) : undefined;
  const videoTrack = selection?.kind === 'track' && selection.uid === 'video';
  useEffect(() => {
    if (selection) setTab('selection');
  }, [selection]);
  const hasSelection = Boolean(found || track || videoTrack);
  const current = hasSelection ? tab : 'timeline';
  return (
    <aside className="inspector" aria-label="Inspector">
      <div className="insp-tabs" role="tablist" aria-label="Inspector">
        <button
          type="button"
          role="tab"
          aria-selected={current === 'selection'}
          disabled={!hasSelection}
          onClick={() => setTab('selection')}
        >
          {found ? 'Cue' : track || videoTrack ? 'Track' : 'Cue'}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={current === 'timeline'}
          onClick={() => setTab('timeline')}
        >
          Timeline settings
        </button>
      </div>
      <div className="insp-body" role="tabpanel">
        {current === 'timeline' ? <TimelineSettings {...props} /> : null}
        {current === 'selection' && found ? <CueInspector {...props} cue={found.cue} /> : null}
        {current === 'selection' && track ? (
          <section aria-label="Track settings">
            <h2>Overlay track</h2>
            <Field
              label="Track name"
              value={track.name ?? ''}
              error={issueAt(props.issues, { trackUid: track.uid, field: 'name' })}
              onChange={(event) =>
                editor.edit(
                  updateOverlayTrack(track.uid, { name: event.target.value || undefined }),
                  `track-name-${track.uid}`,
                )
              }
            />
            <NumberField
              label="Layer"
              value={track.layer}
              step="1"
              min={1}
              max={100}
              hint="1 is the bottom; higher layers are drawn over lower ones"
              error={issueAt(props.issues, { trackUid: track.uid, field: 'layer' })}
              onChange={(layer) =>
                editor.edit(updateOverlayTrack(track.uid, { layer: layer ?? 1 }), `track-layer-${track.uid}`)
              }
            />
            <Switch
              label="On air (switch off to keep the cues but not show them)"
              checked={track.enabled}
              onChange={(enabled) => editor.edit(updateOverlayTrack(track.uid, { enabled }))}
            />
            <Button variant="danger" onClick={() => props.onRemoveTrack(track.uid)}>
              Remove this track
            </Button>
          </section>
        ) : null}
        {current === 'selection' && videoTrack ? (
          <section aria-label="Track settings">
            <h2>Video track</h2>
            <p className="hint">
              One camera or media file is on air at a time. Where the track is empty, the slate is shown (set
              it in Timeline settings).
            </p>
          </section>
        ) : null}
      </div>
    </aside>
  );
}

function issueAt(
  issues: readonly PlacedIssue[],
  where: { cueUid?: string; trackUid?: string; field: string },
): string | undefined {
  const found = issues.filter(
    (issue) =>
      issue.severity === 'error' &&
      issue.field === where.field &&
      (where.cueUid !== undefined
        ? issue.cueUid === where.cueUid
        : where.trackUid !== undefined
          ? issue.trackUid === where.trackUid && issue.cueUid === null
          : issue.cueUid === null && issue.trackUid === null),
  );
  return found.length > 0 ? found.map((issue) => issue.message).join('; ') : undefined;
}

function TimelineSettings({ editor, catalog, issues }: InspectorProps) {
  const s = editor.model.settings;
  const at = (field: string) => issueAt(issues, { field });
  const set = (patch: Partial<Model['settings']>, merge?: string) => editor.edit(setSettings(patch), merge);
  const images = catalog.assets.filter((asset) => asset.asset_type === 'image');
  const fpsChoices = [...new Set([25, 30, 50, 60, s.fps])].sort((a, b) => a - b);
  const sizes = [...new Set(['1280x720', '1920x1080', '3840x2160', s.resolution])];
  return (
    <section aria-label="Timeline settings">
      <h2>Timeline settings</h2>
      <TimeField
        label="Timeline length"
        value={s.duration}
        error={at('duration')}
        hint="How long one pass lasts (h:mm:ss); with Loop on it starts again"
        onChange={(duration) => set({ duration })}
      />
      <Field
        label="Description"
        value={s.description ?? ''}
        error={at('description')}
        onChange={(event) => set({ description: event.target.value || undefined }, 'description')}
      />
      <div className="insp-row">
        <SelectField
          label="Frame rate"
          value={String(s.fps)}
          error={at('fps')}
          onChange={(event) => set({ fps: Number(event.target.value) })}
        >
          {fpsChoices.map((fps) => (
            <option key={fps} value={fps}>
              {fps} fps
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Picture size"
          value={s.resolution}
          error={at('resolution')}
          onChange={(event) => set({ resolution: event.target.value })}
        >
          {sizes.map((size) => (
            <option key={size} value={size}>
              {size.replace('x', ' × ')}
            </option>
          ))}
        </SelectField>
      </div>
      <h3>When something is missing</h3>
      <SelectField
        label="Backup camera"
        value={s.backupCameraId === undefined ? '' : String(s.backupCameraId)}
        error={at('fallback.backup_camera_id')}
        hint="Shown when a camera of this timeline stops answering"
        onChange={(event) =>
          set({ backupCameraId: event.target.value === '' ? undefined : Number(event.target.value) })
        }
      >
        <option value="">None (show the slate)</option>
        {catalog.cameras.map((camera) => (
          <option key={camera.id} value={camera.id}>
            {camera.name}
          </option>
        ))}
        {s.backupCameraId !== undefined && !catalog.cameras.some((c) => c.id === s.backupCameraId) ? (
          <option value={s.backupCameraId}>{cameraName(catalog, s.backupCameraId)}</option>
        ) : null}
      </SelectField>
      <SelectField
        label="Slate image"
        value={s.testPattern ?? ''}
        error={at('fallback.test_pattern')}
        hint="Shown in gaps of the video track and when no camera can stand in"
        onChange={(event) => set({ testPattern: event.target.value === '' ? undefined : event.target.value })}
      >
        <option value="">Built-in colour bars</option>
        {images.map((asset) => (
          <option key={asset.id} value={`/${asset.file_path}`}>
            {asset.filename}
          </option>
        ))}
        {s.testPattern !== undefined && !images.some((a) => `/${a.file_path}` === s.testPattern) ? (
          <option value={s.testPattern}>{s.testPattern}</option>
        ) : null}
      </SelectField>
    </section>
  );
}

const CUE_HEADINGS: Record<Cue['action'], string> = {
  show_camera: 'Camera cue',
  show_media: 'Media cue',
  show_overlay: 'Overlay cue',
};

function CueInspector({ editor, catalog, issues, cue, onSelect }: InspectorProps & { cue: Cue }) {
  const at = (field: string) => issueAt(issues, { cueUid: cue.uid, field });
  const general = issues.filter(
    (issue) =>
      issue.cueUid === cue.uid &&
      issue.severity === 'error' &&
      (issue.field === null || issue.field === 'params'),
  );
  const warnings = issues.filter((issue) => issue.cueUid === cue.uid && issue.severity === 'warning');
  const params = (patch: Record<string, unknown>, merge?: string) =>
    editor.edit(setParams(cue.uid, patch), merge);
  const heading = cue.action === 'show_overlay' ? OVERLAY_LABELS[cue.params.type] : CUE_HEADINGS[cue.action];
  return (
    <section aria-label="Cue settings">
      <h2>{heading}</h2>
      <p className="hint insp-summary">{cueTitle(cue, catalog)}</p>
      {general.map((issue) => (
        <p key={issue.path + issue.message} className="field-error insp-general" role="alert">
          {issue.message}
        </p>
      ))}
      {warnings.map((issue) => (
        <p key={issue.path + issue.message} className="insp-warning">
          {issue.message}
        </p>
      ))}
      <div className="insp-row">
        <TimeField
          label="Start"
          value={cue.start}
          error={at('start_time')}
          onChange={(start) => editor.edit(setCueTimes(cue.uid, start, cue.duration))}
        />
        <TimeField
          label="Length"
          value={cue.duration}
          error={at('duration')}
          onChange={(duration) => editor.edit(setCueTimes(cue.uid, cue.start, duration))}
        />
      </div>
      {cue.action === 'show_camera' ? (
        <CameraFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      {cue.action === 'show_media' ? (
        <MediaFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      {cue.action === 'show_overlay' ? (
        <OverlayFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      <Field
        label="Cue name"
        value={cue.id}
        error={at('id')}
        hint="Shown in the control room; letters, digits and _ . : -"
        onChange={(event) =>
          editor.edit(
            updateCue(cue.uid, (c) => ({ ...c, id: event.target.value }) as Cue),
            `id-${cue.uid}`,
          )
        }
      />
      <Button
        variant="danger"
        onClick={() => {
          editor.edit(removeCue(cue.uid));
          onSelect(null);
        }}
      >
        Remove cue
      </Button>
    </section>
  );
}

type At = (field: string) => string | undefined;
type SetParams = (patch: Record<string, unknown>, merge?: string) => void;

function TransitionFields({
  transition,
  duration,
  at,
  params,
}: {
  transition: string;
  duration: number | undefined;
  at: At;
  params: SetParams;
}) {
  return (
    <div className="insp-row">
      <SelectField
        label="Transition in"
        value={transition}
        error={at('params.transition')}
        onChange={(event) => {
          const next = event.target.value;
          params(
            next === 'cut'
              ? { transition: 'cut', transition_duration: undefined }
              : { transition: next, transition_duration: duration ?? 1 },
          );
        }}
      >
        <option value="cut">Cut</option>
        <option value="dissolve">Dissolve</option>
        <option value="fade">Fade through black</option>
      </SelectField>
      {transition !== 'cut' ? (
        <NumberField
          label="Transition seconds"
          value={duration ?? 1}
          min={0}
          max={60}
          step="0.1"
          error={at('params.transition_duration')}
          onChange={(value) => params({ transition_duration: value }, 'transition-duration')}
        />
      ) : null}
    </div>
  );
}

function CameraFields({
  cue,
  catalog,
  at,
  params,
}: {
  cue: Extract<Cue, { action: 'show_camera' }>;
  catalog: Catalog;
  at: At;
  params: SetParams;
}) {
  const presets = catalog.presets.get(cue.params.camera_id) ?? [];
  const preset = cue.params.preset_id === undefined ? '' : String(cue.params.preset_id);
  return (
    <>
      <SelectField
        label="Camera"
        value={String(cue.params.camera_id)}
        error={at('params.camera_id')}
        onChange={(event) => params({ camera_id: Number(event.target.value), preset_id: undefined })}
      >
        {catalog.cameras.map((camera) => (
          <option key={camera.id} value={camera.id}>
            {camera.name}
          </option>
        ))}
        {!catalog.cameras.some((camera) => camera.id === cue.params.camera_id) ? (
          <option value={cue.params.camera_id}>{cameraName(catalog, cue.params.camera_id)}</option>
        ) : null}
      </SelectField>
      <SelectField
        label="PTZ preset"
        value={preset}
        error={at('params.preset_id')}
        hint={
          presets.length === 0 ? 'This camera has no stored presets' : 'The camera moves there before the cue'
        }
        onChange={(event) =>
          params({ preset_id: event.target.value === '' ? undefined : event.target.value })
        }
      >
        <option value="">None (where it points)</option>
        {presets.map((p) => (
          <option key={p.id} value={p.name}>
            {p.name}
          </option>
        ))}
        {preset !== '' && !presets.some((p) => p.name === preset) ? (
          <option value={preset}>{preset}</option>
        ) : null}
      </SelectField>
      <TransitionFields
        transition={cue.params.transition ?? 'cut'}
        duration={cue.params.transition_duration}
        at={at}
        params={params}
      />
    </>
  );
}

const ADDRESS = 'address';

function MediaFields({
  cue,
  catalog,
  at,
  params,
}: {
  cue: Extract<Cue, { action: 'show_media' }>;
  catalog: Catalog;
  at: At;
  params: SetParams;
}) {
  const media = catalog.assets.filter((asset) => asset.asset_type !== 'audio');
  const usesAddress = cue.params.asset_id === undefined;
  return (
    <>
      <SelectField
        label="Media file"
        value={usesAddress ? ADDRESS : String(cue.params.asset_id)}
        error={at('params.asset_id')}
        onChange={(event) => {
          if (event.target.value === ADDRESS)
            return params({ asset_id: undefined, media_url: cue.params.media_url ?? '' });
          const asset = catalog.assets.find((a) => a.id === Number(event.target.value));
          params({
            asset_id: Number(event.target.value),
            media_url: undefined,
            media_type: asset?.asset_type === 'image' ? 'image' : 'video',
          });
        }}
      >
        {media.map((asset) => (
          <option key={asset.id} value={asset.id}>
            {asset.filename}
          </option>
        ))}
        {!usesAddress && !media.some((a) => a.id === cue.params.asset_id) ? (
          <option value={cue.params.asset_id}>{assetName(catalog, cue.params.asset_id ?? 0)}</option>
        ) : null}
        <option value={ADDRESS}>A path or web address…</option>
      </SelectField>
      {usesAddress ? (
        <Field
          label="Media address"
          value={cue.params.media_url ?? ''}
          placeholder="/media/clip.mp4 or https://…"
          error={at('params.media_url')}
          onChange={(event) => params({ media_url: event.target.value }, 'media-url')}
        />
      ) : null}
      {cue.params.media_type !== 'image' ? (
        <Switch
          label="Play in a loop for the whole cue"
          checked={cue.params.loop ?? true}
          onChange={(loop) => params({ loop })}
        />
      ) : null}
      <TransitionFields
        transition={cue.params.transition ?? 'cut'}
        duration={cue.params.transition_duration}
        at={at}
        params={params}
      />
    </>
  );
}

function ImageChoice({
  value,
  url,
  catalog,
  at,
  params,
  optional,
}: {
  value: number | undefined;
  url: string | undefined;
  catalog: Catalog;
  at: At;
  params: SetParams;
  optional?: boolean;
}) {
  const images = catalog.assets.filter((asset) => asset.asset_type === 'image');
  const choice = value !== undefined ? String(value) : url !== undefined ? ADDRESS : '';
  return (
    <>
      <SelectField
        label={optional ? 'Background image' : 'Image'}
        value={choice}
        error={at('params.asset_id') ?? at('params')}
        onChange={(event) => {
          const v = event.target.value;
          if (v === '') params({ asset_id: undefined, image_url: undefined });
          else if (v === ADDRESS) params({ asset_id: undefined, image_url: url ?? '' });
          else params({ asset_id: Number(v), image_url: undefined });
        }}
      >
        <option value="">{optional ? 'None (a plain bar)' : 'Choose an image…'}</option>
        {images.map((asset) => (
          <option key={asset.id} value={asset.id}>
            {asset.filename}
          </option>
        ))}
        {value !== undefined && !images.some((a) => a.id === value) ? (
          <option value={value}>{assetName(catalog, value)}</option>
        ) : null}
        <option value={ADDRESS}>A path or web address…</option>
      </SelectField>
      {choice === ADDRESS ? (
        <Field
          label="Image address"
          value={url ?? ''}
          placeholder="/media/logo.png or https://…"
          error={at('params.image_url')}
          onChange={(event) => params({ image_url: event.target.value }, 'image-url')}
        />
      ) : null}
    </>
  );
}

function OverlayFields({
  cue,
  catalog,
  at,
  params,
}: {
  cue: OverlayCue;
  catalog: Catalog;
  at: At;
  params: SetParams;
}) {
  const p = cue.params;
  const position = p.position;
  const custom = typeof position === 'object';
  const textual = p.type === 'text' || p.type === 'lower_third' || p.type === 'dynamic_text';
  return (
    <>
      {p.type === 'text' || p.type === 'lower_third' ? (
        <Field
          label={p.type === 'lower_third' ? 'Title' : 'Text'}
          value={p.text}
          error={at('params.text')}
          onChange={(event) => params({ text: event.target.value }, `text-${cue.uid}`)}
        />
      ) : null}
      {p.type === 'lower_third' ? (
        <Field
          label="Subtitle"
          value={p.subtitle ?? ''}
          error={at('params.subtitle')}
          onChange={(event) =>
            params(
              { subtitle: event.target.value === '' ? undefined : event.target.value },
              `subtitle-${cue.uid}`,
            )
          }
        />
      ) : null}
      {p.type === 'dynamic_text' ? (
        <>
          <Field
            label="Template"
            value={p.template}
            error={at('params.template')}
            hint="{time} and {date}, and {field} for a field of the data below"
            onChange={(event) => params({ template: event.target.value }, `template-${cue.uid}`)}
          />
          <Field
            label="Data address (JSON)"
            value={p.data_url ?? ''}
            placeholder="https://example.com/weather.json"
            error={at('params.data_url')}
            onChange={(event) =>
              params(
                { data_url: event.target.value === '' ? undefined : event.target.value },
                `data-${cue.uid}`,
              )
            }
          />
          {p.data_url !== undefined ? (
            <NumberField
              label="Read the data every (seconds)"
              value={p.poll_interval ?? 30}
              min={1}
              error={at('params.poll_interval')}
              onChange={(value) => params({ poll_interval: value }, 'poll')}
            />
          ) : null}
        </>
      ) : null}
      {p.type === 'logo' || p.type === 'image' ? (
        <ImageChoice value={p.asset_id} url={p.image_url} catalog={catalog} at={at} params={params} />
      ) : null}
      {p.type === 'lower_third' ? (
        <ImageChoice
          value={p.asset_id}
          url={p.image_url}
          catalog={catalog}
          at={at}
          params={params}
          optional
        />
      ) : null}
      <div className="insp-row">
        <SelectField
          label="Position"
          value={custom ? 'custom' : (position ?? '')}
          error={at('params.position')}
          onChange={(event) => {
            const v = event.target.value;
            params({ position: v === '' ? undefined : v === 'custom' ? { x: 100, y: 100 } : v });
          }}
        >
          <option value="">Default for this overlay</option>
          {NAMED_POSITIONS.map((name) => (
            <option key={name} value={name}>
              {POSITION_LABELS[name]}
            </option>
          ))}
          <option value="custom">Exact place (pixels)</option>
        </SelectField>
        {custom ? (
          <>
            <NumberField
              label="X"
              value={position.x}
              step="1"
              min={0}
              onChange={(x) => params({ position: { ...position, x: x ?? 0 } }, 'pos-x')}
            />
            <NumberField
              label="Y"
              value={position.y}
              step="1"
              min={0}
              onChange={(y) => params({ position: { ...position, y: y ?? 0 } }, 'pos-y')}
            />
          </>
        ) : null}
      </div>
      {textual ? (
        <>
          <NumberField
            label="Font size (px)"
            value={p.font_size}
            step="1"
            min={6}
            max={400}
            placeholder="Automatic"
            error={at('params.font_size')}
            onChange={(value) => params({ font_size: value }, 'font')}
          />
          <ColorField
            label="Text colour"
            value={p.color}
            error={at('params.color')}
            onChange={(color) => params({ color }, 'color')}
          />
          <ColorField
            label="Background"
            value={p.background}
            error={at('params.background')}
            allowNone={p.type === 'lower_third' ? 'the standard bar' : 'none'}
            onChange={(background) => params({ background }, 'background')}
          />
        </>
      ) : null}
      <div className="insp-row">
        <NumberField
          label="Opacity (%)"
          value={Math.round((p.opacity ?? 1) * 100)}
          step="1"
          min={0}
          max={100}
          error={at('params.opacity')}
          onChange={(value) => params({ opacity: value === undefined ? undefined : value / 100 }, 'opacity')}
        />
        <NumberField
          label="Scale"
          value={p.scale ?? 1}
          step="0.1"
          min={0.1}
          max={10}
          error={at('params.scale')}
          onChange={(value) => params({ scale: value }, 'scale')}
        />
      </div>
      <div className="insp-row">
        <NumberField
          label="Fade in (s)"
          value={p.fade_in ?? 0}
          step="0.1"
          min={0}
          error={at('params.fade_in')}
          onChange={(value) => params({ fade_in: value }, 'fade-in')}
        />
        <NumberField
          label="Fade out (s)"
          value={p.fade_out ?? 0}
          step="0.1"
          min={0}
          error={at('params.fade_out')}
          onChange={(value) => params({ fade_out: value }, 'fade-out')}
        />
      </div>
    </>
  );
}
