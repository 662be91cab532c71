// "New looping show": one screen for the common case (a few cameras in turn, a lower third now and
// then, a clock), made into an ordinary timeline and opened in the builder, ready for GO LIVE.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type ApiIssue } from '../../../api/client.ts';
import { navigate } from '../../../app/router.ts';
import { CheckField, FormActions } from '../../../components/forms.tsx';
import {
  ErrorNotice,
  Field,
  Link,
  Notice,
  PageHeader,
  SelectField,
  Spinner,
  useAction,
  useLoad,
} from '../../../components/ui.tsx';
import type { Camera } from '../../../../../src/domain/views.ts';
import {
  QUICK_SHOW_DEFAULTS,
  planSources,
  quickShowTimeline,
  type QuickLowerThird,
  type QuickShowChoices,
  type QuickShowProblem,
  type QuickSource,
  type QuickTransition,
} from './generate.ts';
import '../../../components/forms.css';
import './quick-show.css';

interface AssetInfo {
  id: number;
  asset_type: 'image' | 'video' | 'audio';
  filename: string;
}

interface Catalog {
  cameras: Camera[];
  assets: AssetInfo[];
}

interface Row {
  key: number;
  source: QuickSource;
  /** As typed: empty = split evenly. */
  minutes: string;
}

interface LowerThirdRow {
  key: number;
  title: string;
  subtitle: string;
  showSeconds: string;
  everyMinutes: string;
}

const TRANSITIONS: Array<{ value: QuickTransition; label: string }> = [
  { value: 'cut', label: 'Cut' },
  { value: 'fade', label: 'Fade' },
  { value: 'dissolve', label: 'Dissolve' },
];

const sourceKey = (source: QuickSource): string =>
  source.kind === 'camera' ? `camera:${source.cameraId}` : `media:${source.assetId}`;

function sourcesOf(catalog: Catalog): QuickSource[] {
  return [
    ...catalog.cameras.map((camera): QuickSource => ({
      kind: 'camera',
      cameraId: camera.id,
      name: camera.name,
    })),
    ...catalog.assets
      .filter((asset): asset is AssetInfo & { asset_type: 'image' | 'video' } => asset.asset_type !== 'audio')
      .map((asset): QuickSource => ({
        kind: 'media',
        assetId: asset.id,
        mediaType: asset.asset_type,
        name: asset.filename,
      })),
  ];
}

/** Empty text is "not given"; anything else must read as a number (else NaN, which the plan refuses). */
const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));

function formatMinutes(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

export function QuickShow() {
  const catalog = useLoad(async (signal): Promise<Catalog> => {
    const [cameras, assets] = await Promise.all([
      api.get<Camera[]>('/api/cameras', signal),
      api.get<AssetInfo[]>('/api/assets', signal),
    ]);
    return { cameras, assets };
  });
  return (
    <section className="quick-show">
      <PageHeader title="New looping show" />
      <p className="hint quick-show-intro">
        Choose what to show and for how long; the show is saved as an ordinary timeline and opened in the
        builder, where you can fine-tune it or go live.
      </p>
      <ErrorNotice error={catalog.error} />
      {catalog.data ? (
        <QuickShowForm catalog={catalog.data} />
      ) : catalog.loading ? (
        <Spinner label="Loading cameras and media…" />
      ) : null}
    </section>
  );
}

function QuickShowForm({ catalog }: { catalog: Catalog }) {
  const available = useMemo(() => sourcesOf(catalog), [catalog]);
  const nextKey = useRef(1);
  const keyed = (source: QuickSource): Row => ({ key: nextKey.current++, source, minutes: '' });
  const [name, setName] = useState<string>(QUICK_SHOW_DEFAULTS.name);
  const [length, setLength] = useState(String(QUICK_SHOW_DEFAULTS.lengthMinutes));
  const [loop, setLoop] = useState(true);
  // Every enabled camera once, in the appliance's order: the usual show is "each camera in turn".
  const [rows, setRows] = useState<Row[]>(() =>
    catalog.cameras
      .filter((camera) => camera.enabled)
      .map((camera) => keyed({ kind: 'camera', cameraId: camera.id, name: camera.name })),
  );
  const [toAdd, setToAdd] = useState('');
  const [transition, setTransition] = useState<QuickTransition>(QUICK_SHOW_DEFAULTS.transition);
  const [transitionSeconds, setTransitionSeconds] = useState(String(QUICK_SHOW_DEFAULTS.transitionSeconds));
  const [lowerThirds, setLowerThirds] = useState<LowerThirdRow[]>([]);
  const [clock, setClock] = useState(true);
  const [logo, setLogo] = useState('');
  const [attempted, setAttempted] = useState(false);
  const action = useAction();
  const focusTitle = useRef<number | null>(null);
  const transitionName = useId();

  const choices: QuickShowChoices = {
    name,
    lengthMinutes: Number(length),
    loop,
    rows: rows.map((row) => ({ source: row.source, minutes: numberOrNull(row.minutes) })),
    transition,
    transitionSeconds: Number(transitionSeconds),
    lowerThirds: lowerThirds.map((row): QuickLowerThird => ({
      title: row.title,
      subtitle: row.subtitle,
      showSeconds: Number(row.showSeconds),
      everyMinutes: Number(row.everyMinutes),
    })),
    clock,
    logoAssetId: logo === '' ? null : Number(logo),
  };
  const result = quickShowTimeline(choices);
  const plan = planSources(choices);
  const problems: QuickShowProblem[] = result.ok ? [] : result.problems;
  // Arithmetic is shown as soon as it is wrong; a field left empty only once Create is pressed.
  const problemAt = (field: QuickShowProblem['field']): string | undefined => {
    if (!attempted && field !== 'sources' && field !== 'length') return undefined;
    return problems.find((problem) => problem.field === field)?.message;
  };

  const move = (index: number, by: -1 | 1) =>
    setRows((current) => {
      const target = index + by;
      if (target < 0 || target >= current.length) return current;
      const next = [...current];
      [next[index], next[target]] = [next[target]!, next[index]!];
      return next;
    });
  const addSource = (source: QuickSource) => setRows((current) => [...current, keyed(source)]);
  const addLowerThird = () => {
    const key = nextKey.current++;
    focusTitle.current = key;
    setLowerThirds((current) => [
      ...current,
      {
        key,
        title: '',
        subtitle: '',
        showSeconds: String(QUICK_SHOW_DEFAULTS.lowerThird.showSeconds),
        everyMinutes: String(QUICK_SHOW_DEFAULTS.lowerThird.everyMinutes),
      },
    ]);
  };
  // A new lower third's title gets the focus: typing it is the next thing to do.
  useEffect(() => {
    if (focusTitle.current === null) return;
    document.querySelector<HTMLInputElement>(`[data-lower-third="${focusTitle.current}"] input`)?.focus();
    focusTitle.current = null;
  }, [lowerThirds]);
  const updateLowerThird = (key: number, patch: Partial<LowerThirdRow>) =>
    setLowerThirds((current) => current.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setAttempted(true);
    if (!result.ok) return;
    const saved = await action.run(() =>
      api.post<{ id: number }>('/api/timelines', { timeline: result.timeline }),
    );
    if (saved) navigate(`/timelines/${saved.id}`);
  };
  const apiIssues: ApiIssue[] = action.error instanceof ApiError ? action.error.issues : [];

  const images = catalog.assets.filter((asset) => asset.asset_type === 'image');
  const sourcesError = problemAt('sources');

  return (
    <form className="quick-show-form" onSubmit={(event) => void create(event)} noValidate>
      <fieldset className="card">
        <legend>Show</legend>
        <div className="quick-show-grid">
          <Field
            label="Name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={problemAt('name')}
          />
          <Field
            label="Length in minutes"
            type="number"
            inputMode="decimal"
            min={1}
            value={length}
            onChange={(event) => setLength(event.target.value)}
            error={problemAt('length')}
          />
        </div>
        <CheckField checked={loop} onChange={setLoop}>
          Loop: start again from the top when it ends
        </CheckField>
      </fieldset>

      <fieldset className="card">
        <legend>Sources, in running order</legend>
        {catalog.cameras.length === 0 ? (
          <Notice kind="warning">
            <span>
              There are no cameras on this appliance yet. <Link to="/cameras">Add a camera</Link>, then come
              back here.
            </span>
          </Notice>
        ) : null}
        {rows.length > 0 ? (
          <ol className="quick-show-sources" aria-label="Sources in running order">
            {rows.map((row, index) => (
              <SourceRow
                key={row.key}
                row={row}
                index={index}
                last={index === rows.length - 1}
                share={plan.ok ? plan.seconds[index] : undefined}
                onMinutes={(minutes) =>
                  setRows((current) => current.map((r) => (r.key === row.key ? { ...r, minutes } : r)))
                }
                onMove={(by) => move(index, by)}
                onAgain={() => addSource(row.source)}
                onRemove={() => setRows((current) => current.filter((r) => r.key !== row.key))}
              />
            ))}
          </ol>
        ) : null}
        {sourcesError ? (
          <p className="field-error quick-show-problem" role="alert">
            {sourcesError}
          </p>
        ) : (
          <p className="hint">Leave the minutes empty to split the show evenly over those sources.</p>
        )}
        {available.length > 0 ? (
          <div className="quick-show-add">
            <SelectField
              label="Add a source"
              value={toAdd}
              onChange={(event) => setToAdd(event.target.value)}
            >
              <option value="">Choose a camera or video…</option>
              {available.map((source) => (
                <option key={sourceKey(source)} value={sourceKey(source)}>
                  {source.kind === 'camera' ? `Camera: ${source.name}` : `Media: ${source.name}`}
                </option>
              ))}
            </SelectField>
            <button
              type="button"
              className="btn btn-plain"
              disabled={toAdd === ''}
              onClick={() => {
                const source = available.find((s) => sourceKey(s) === toAdd);
                if (source) addSource(source);
                setToAdd('');
              }}
            >
              Add
            </button>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="card">
        <legend>Transition between sources</legend>
        <div className="quick-show-choices" role="radiogroup" aria-label="Transition">
          {TRANSITIONS.map((option) => (
            <label key={option.value} className="check">
              <input
                type="radio"
                name={transitionName}
                value={option.value}
                checked={transition === option.value}
                onChange={() => setTransition(option.value)}
              />
              {option.label}
            </label>
          ))}
        </div>
        {transition !== 'cut' ? (
          <div className="quick-show-narrow">
            <Field
              label="Transition seconds"
              type="number"
              inputMode="decimal"
              min={0.1}
              max={10}
              step={0.1}
              value={transitionSeconds}
              onChange={(event) => setTransitionSeconds(event.target.value)}
              error={problemAt('transition')}
            />
          </div>
        ) : null}
      </fieldset>

      <fieldset className="card">
        <legend>Over the picture</legend>
        {lowerThirds.map((row, index) => (
          <div
            key={row.key}
            className="quick-show-lower-third"
            role="group"
            aria-label={`Lower third ${index + 1}`}
            data-lower-third={row.key}
          >
            <div className="quick-show-grid">
              <Field
                label="Lower third title"
                value={row.title}
                onChange={(event) => updateLowerThird(row.key, { title: event.target.value })}
                error={problemAt(`lowerThird.${index}.title`)}
              />
              <Field
                label="Subtitle (optional)"
                value={row.subtitle}
                onChange={(event) => updateLowerThird(row.key, { subtitle: event.target.value })}
              />
              <Field
                label="Show for (seconds)"
                type="number"
                inputMode="numeric"
                min={1}
                value={row.showSeconds}
                onChange={(event) => updateLowerThird(row.key, { showSeconds: event.target.value })}
                error={problemAt(`lowerThird.${index}.show`)}
              />
              <Field
                label="Every (minutes)"
                type="number"
                inputMode="decimal"
                min={1}
                value={row.everyMinutes}
                onChange={(event) => updateLowerThird(row.key, { everyMinutes: event.target.value })}
                error={problemAt(`lowerThird.${index}.every`)}
              />
            </div>
            <button
              type="button"
              className="btn btn-plain danger-text"
              onClick={() => setLowerThirds((current) => current.filter((r) => r.key !== row.key))}
            >
              Remove this lower third
            </button>
          </div>
        ))}
        <button type="button" className="btn" onClick={addLowerThird}>
          {lowerThirds.length === 0 ? 'Add a lower third' : 'Add another lower third'}
        </button>
        <CheckField checked={clock} onChange={setClock}>
          Clock in the top right corner
        </CheckField>
        {images.length > 0 ? (
          <SelectField
            label="Logo in the top left corner"
            value={logo}
            onChange={(event) => setLogo(event.target.value)}
          >
            <option value="">No logo</option>
            {images.map((asset) => (
              <option key={asset.id} value={String(asset.id)}>
                {asset.filename}
              </option>
            ))}
          </SelectField>
        ) : null}
      </fieldset>

      {action.error ? (
        <div className="error-block">
          <ErrorNotice error={action.error} onDismiss={action.clearError} />
          {apiIssues.length > 0 ? (
            <ul className="issue-list" aria-label="Problems found">
              {apiIssues.map((issue, index) => (
                <li key={`${issue.path}-${index}`}>
                  <code>{issue.path}</code> {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {attempted && !result.ok ? (
        <p className="field-error" role="alert">
          Fix the {problems.length === 1 ? 'problem' : `${problems.length} problems`} marked above, then press
          Create show again.
        </p>
      ) : null}
      <FormActions submitLabel="Create show" busy={action.busy} onCancel={() => navigate('/timelines')} />
    </form>
  );
}

function SourceRow({
  row,
  index,
  last,
  share,
  onMinutes,
  onMove,
  onAgain,
  onRemove,
}: {
  row: Row;
  index: number;
  last: boolean;
  /** Seconds on air as planned (undefined while the plan has a problem). */
  share: number | undefined;
  onMinutes: (minutes: string) => void;
  onMove: (by: -1 | 1) => void;
  onAgain: () => void;
  onRemove: () => void;
}) {
  const id = useId();
  const name = row.source.name;
  const even = row.minutes.trim() === '';
  return (
    <li className="quick-show-source">
      <div className="quick-show-source-name">
        <span className="quick-show-order" aria-hidden="true">
          {index + 1}
        </span>
        <span>
          <strong>{name}</strong>
          <span className="hint"> · {row.source.kind === 'camera' ? 'camera' : row.source.mediaType}</span>
        </span>
      </div>
      <div className="field quick-show-minutes">
        <label htmlFor={id}>
          Minutes
          <span className="visually-hidden">
            {' '}
            for {name} (source {index + 1})
          </span>
        </label>
        <input
          id={id}
          type="number"
          inputMode="decimal"
          min={0}
          placeholder="split evenly"
          value={row.minutes}
          onChange={(event) => onMinutes(event.target.value)}
          aria-describedby={`${id}-share`}
        />
        <small id={`${id}-share`} className="hint">
          {share === undefined ? ' ' : even ? `${formatMinutes(share)} (even share)` : formatMinutes(share)}
        </small>
      </div>
      <div className="row-actions quick-show-row-actions">
        <button
          type="button"
          className="btn btn-plain"
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={`Move ${name} (source ${index + 1}) up`}
        >
          ↑
        </button>
        <button
          type="button"
          className="btn btn-plain"
          disabled={last}
          onClick={() => onMove(1)}
          aria-label={`Move ${name} (source ${index + 1}) down`}
        >
          ↓
        </button>
        <button type="button" className="btn" onClick={onAgain} aria-label={`Add again: ${name}, at the end`}>
          Add again
        </button>
        <button
          type="button"
          className="btn btn-plain danger-text"
          onClick={onRemove}
          aria-label={`Remove ${name} (source ${index + 1})`}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
