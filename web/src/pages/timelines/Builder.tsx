// The timeline builder: palette, program preview and inspector above, the lanes on a time ruler
// below. Edits are checked by the appliance as you go (POST /api/timelines/validate) and every
// problem is shown on its cue, next to its field and in the problems list. Save creates
// (→ /timelines/:id) or replaces; leaving with unsaved changes asks first.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { useLive } from '../../app/live-context.ts';
import { navigate } from '../../app/router.ts';
import { Button, Dialog, ErrorNotice, Notice, PageHeader, Spinner } from '../../components/ui.tsx';
import { accepts, type PaletteItem } from './builder/catalog.ts';
import { cueFromItem, cueTitle } from './builder/cues.ts';
import {
  copyCue,
  duplicateCue,
  localIssues,
  mergeIssues,
  moveCueToNewTrack,
  newOverlayTrack,
  overlappedBy,
  pasteCue,
  placeAfterPrevious,
  type CopiedCue,
} from './builder/edits.ts';
import { Inspector } from './builder/Inspector.tsx';
import { Lanes, type Selection } from './builder/Lanes.tsx';
import {
  emptyModel,
  fieldLabel,
  findCue,
  formatTime,
  fromDocument,
  newUid,
  placeIssues,
  toDocument,
  type Cue,
  type Issue,
  type Model,
  type PlacedIssue,
} from './builder/model.ts';
import { Palette } from './builder/Palette.tsx';
import { Preview } from './builder/Preview.tsx';
import { addCue, updateAudioTrack, updateOverlayTrack } from './builder/state.ts';
import { useCatalog } from './builder/use-catalog.ts';
import { useEditor } from './builder/use-editor.ts';
import { useCan } from '../../app/session.ts';
import './builder/builder.css';

const VALIDATE_DEBOUNCE_MS = 500;

interface Stored {
  id: number;
  document: Parameters<typeof fromDocument>[0];
}
interface Saved {
  id: number;
  warnings: Array<{ path: string; message: string }>;
}
interface Checked {
  valid: boolean;
  issues: Issue[];
}

export function Builder({ timelineId }: { timelineId: number | null }) {
  // A viewer may open a timeline to look at it; saving is an operator's (the API refuses it too).
  const canSave = useCan('operator');
  const editor = useEditor(emptyModel);
  const { model, edit } = editor;
  const catalog = useCatalog();
  const [loadState, setLoadState] = useState<{ loading: boolean; error: unknown }>({
    loading: timelineId !== null,
    error: null,
  });
  const [savedJson, setSavedJson] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const [playhead, setPlayhead] = useState(0);
  const [issues, setIssues] = useState<PlacedIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const live = useLive();
  const [saveError, setSaveError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [leaving, setLeaving] = useState<string | null>(null);
  const [removingTrack, setRemovingTrack] = useState<string | null>(null);
  const [copied, setCopied] = useState<CopiedCue | null>(null);
  const createdId = useRef<number | null>(null);
  const allowLeave = useRef(false);

  const documentJson = useMemo(() => JSON.stringify(toDocument(model)), [model]);
  const dirty =
    savedJson === null
      ? timelineId === null &&
        model.video.cues.length +
          model.audio.cues.length +
          model.overlays.reduce((n, t) => n + t.cues.length, 0) >
          0
      : documentJson !== savedJson;

  // ------------------------------------------------------------------ load
  useEffect(() => {
    if (timelineId === null) {
      const fresh = emptyModel();
      editor.reset(fresh);
      setSavedJson(null);
      setLoadState({ loading: false, error: null });
      return;
    }
    if (createdId.current === timelineId) return; // just created here: the model is what was saved
    const controller = new AbortController();
    setLoadState({ loading: true, error: null });
    api
      .get<Stored>(`/api/timelines/${timelineId}`, controller.signal)
      .then((stored) => {
        const loaded = fromDocument(stored.document);
        editor.reset(loaded);
        setSavedJson(JSON.stringify(toDocument(loaded)));
        setSelection(null);
        setPlayhead(0);
        setLoadState({ loading: false, error: null });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setLoadState({ loading: false, error });
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [timelineId]);

  // ------------------------------------------------------------------ validation as you edit
  const modelRef = useRef<Model>(model);
  modelRef.current = model;
  useEffect(() => {
    if (loadState.loading) return;
    const controller = new AbortController();
    const sent = modelRef.current;
    const timer = setTimeout(() => {
      setChecking(true);
      api
        .post<Checked>('/api/timelines/validate', JSON.parse(documentJson) as unknown)
        .then((checked) => {
          if (controller.signal.aborted) return;
          setIssues(placeIssues(sent, mergeIssues(localIssues(sent), checked.issues)));
        })
        .catch(() => undefined) // a failed check changes nothing; saving reports for itself
        .finally(() => {
          if (!controller.signal.aborted) setChecking(false);
        });
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [documentJson, loadState.loading]);

  const errors = issues.filter((issue) => issue.severity === 'error');

  // ------------------------------------------------------------------ save
  const save = useCallback(async (): Promise<boolean> => {
    const sent = modelRef.current;
    const document = toDocument(sent);
    setSaving(true);
    setSaveError(null);
    try {
      const saved =
        timelineId === null
          ? await api.post<Saved>('/api/timelines', document)
          : await api.put<Saved>(`/api/timelines/${timelineId}`, document);
      setSavedJson(JSON.stringify(document));
      setIssues(
        placeIssues(
          sent,
          saved.warnings.map((w) => ({ ...w, severity: 'warning' as const })),
        ),
      );
      setStatus(`Saved at ${new Date().toLocaleTimeString()}.`);
      if (timelineId === null) {
        createdId.current = saved.id;
        navigate(`/timelines/${saved.id}`);
      }
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TIMELINE_INVALID')
        setIssues(
          placeIssues(
            sent,
            mergeIssues(
              localIssues(sent),
              error.issues.map((issue) => ({ ...issue, severity: 'error' as const })),
            ),
          ),
        );
      setSaveError(error);
      return false;
    } finally {
      setSaving(false);
    }
  }, [timelineId]);

  // ------------------------------------------------------------------ keyboard shortcuts
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === 's') {
        event.preventDefault();
        if (canSave) void save();
        return;
      }
      const target = event.target as HTMLElement | null;
      // Text fields keep their own undo, copy and paste.
      if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) return;
      if (key === 'c' && !event.shiftKey) {
        if (copySelected()) event.preventDefault();
      } else if (key === 'v' && !event.shiftKey) {
        if (pasteCopied()) event.preventDefault();
      } else if (key === 'd' && !event.shiftKey) {
        event.preventDefault(); // the browser's bookmark shortcut, even with nothing selected
        duplicateSelected();
      } else if (key === 'z' && !event.shiftKey) {
        event.preventDefault();
        editor.undo();
      } else if ((key === 'z' && event.shiftKey) || key === 'y') {
        event.preventDefault();
        editor.redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // ------------------------------------------------------------------ unsaved changes guard
  useEffect(() => {
    if (!dirty) return;
    const here = location.pathname;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    const onClick = (event: MouseEvent) => {
      if (allowLeave.current || event.defaultPrevented || event.button !== 0) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      const link = (event.target as Element | null)?.closest?.('a[href]');
      const href = link?.getAttribute('href');
      if (!link || !href?.startsWith('/') || link.getAttribute('target')) return;
      if (href === here) return;
      event.preventDefault();
      event.stopPropagation();
      setLeaving(href);
    };
    const onPop = () => {
      if (allowLeave.current) return;
      const target = location.pathname;
      if (target === here) return;
      navigate(here); // stay (the router's listeners see `here` again in the same update)
      setLeaving(target);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    window.addEventListener('popstate', onPop);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('popstate', onPop);
    };
  }, [dirty]);

  const leave = (target: string) => {
    allowLeave.current = true;
    setLeaving(null);
    navigate(target);
  };

  // ------------------------------------------------------------------ adding and tracks
  const announce = useCallback((message: string) => setStatus(message), []);

  const addItem = useCallback(
    (item: PaletteItem, trackUid: string | null, at: number) => {
      let current = modelRef.current;
      let track =
        trackUid === null
          ? null
          : ([current.video, ...current.overlays, current.audio].find((t) => t.uid === trackUid) ?? null);
      if (!track && item.kind === 'audio') track = current.audio;
      if (!track) {
        // The lane it belongs on: video for cameras and media, else the selected overlay track, else the top one.
        if (accepts(item, 'video') && item.kind !== 'overlay') track = current.video;
        else {
          const selected =
            selection?.kind === 'track'
              ? current.overlays.find((t) => t.uid === selection.uid)
              : selection?.kind === 'cue'
                ? current.overlays.find((t) => t.cues.some((c) => c.uid === selection.uid))
                : undefined;
          track = selected ?? [...current.overlays].sort((a, b) => b.layer - a.layer)[0] ?? null;
        }
        if (!track) {
          const layer = 1;
          const fresh = {
            uid: newUid('t'),
            kind: 'overlay' as const,
            track_id: 'overlays_1',
            name: 'Overlays 1',
            layer,
            enabled: true,
            cues: [],
          };
          current = { ...current, overlays: [...current.overlays, fresh] };
          edit(() => current);
          track = fresh;
        }
      }
      const cue = cueFromItem(item, track, at, current, catalog);
      if (!cue) {
        announce(
          `No room for ${item.label} at ${formatTime(at)} on that lane: make space or drop it elsewhere.`,
        );
        return;
      }
      edit(addCue(track.uid, cue));
      setSelection({ kind: 'cue', uid: cue.uid });
      announce(
        `Added ${cueTitle(cue, catalog)} at ${formatTime(cue.start)} for ${formatTime(cue.duration)}.${
          cue.action === 'play_audio' ? ' Use only music the venue may broadcast.' : ''
        }`,
      );
    },
    [catalog, edit, selection, announce],
  );

  // ------------------------------------------------------------------ copy, paste, duplicate
  const selectedCue = selection?.kind === 'cue' ? findCue(model, selection.uid) : null;
  /** The track a paste goes on: the selected track, or the selected cue's. */
  const pasteTrackUid = selection?.kind === 'track' ? selection.uid : (selectedCue?.track.uid ?? null);
  function copySelected(): boolean {
    if (!selectedCue) return false;
    setCopied(copyCue(selectedCue.cue));
    announce(`Copied ${cueTitle(selectedCue.cue, catalog)}: Ctrl+V pastes it at the playhead.`);
    return true;
  }
  function pasteCopied(): boolean {
    if (!copied) return false;
    const placed = pasteCue(modelRef.current, copied, pasteTrackUid, playhead);
    if (!placed) {
      announce(`No room to paste at ${formatTime(playhead)}: move the playhead to free space.`);
      return true;
    }
    edit(() => placed.model);
    setSelection({ kind: 'cue', uid: placed.cue.uid });
    announce(`Pasted ${placed.cue.id} at ${formatTime(placed.cue.start)}.`);
    return true;
  }
  function duplicateSelected(): void {
    if (!selectedCue) return;
    const placed = duplicateCue(modelRef.current, selectedCue.cue.uid);
    if (!placed) {
      announce(`No room after ${selectedCue.cue.id} for a copy.`);
      return;
    }
    edit(() => placed.model);
    setSelection({ kind: 'cue', uid: placed.cue.uid });
    announce(
      `Duplicated as ${placed.cue.id} at ${formatTime(placed.cue.start)}–${formatTime(placed.cue.start + placed.cue.duration)}.`,
    );
  }

  const addTrack = () => {
    const track = newOverlayTrack(model);
    edit((m) => ({ ...m, overlays: [...m.overlays, { ...track, cues: [] }] }));
    setSelection({ kind: 'track', uid: track.uid });
    announce(`Added overlay track on layer ${track.layer}.`);
  };
  const removeTrack = (uid: string) => {
    const track = model.overlays.find((t) => t.uid === uid);
    if (!track) return;
    if (track.cues.length > 0) {
      setRemovingTrack(uid);
      return;
    }
    doRemoveTrack(uid);
  };
  const doRemoveTrack = (uid: string) => {
    edit((m) => ({ ...m, overlays: m.overlays.filter((t) => t.uid !== uid) }));
    setSelection(null);
    setRemovingTrack(null);
    announce('Removed the overlay track.');
  };
  const toggleTrack = (uid: string) => {
    if (uid === model.audio.uid) return edit(updateAudioTrack({ enabled: !model.audio.enabled }));
    const track = model.overlays.find((t) => t.uid === uid);
    if (track) edit(updateOverlayTrack(uid, { enabled: !track.enabled }));
  };

  const selectIssue = (issue: PlacedIssue) => {
    if (issue.cueUid) {
      setSelection({ kind: 'cue', uid: issue.cueUid });
      const found = findCue(model, issue.cueUid);
      if (found) {
        setPlayhead(found.cue.start);
        const element = document.querySelector(`[data-cue-id="${CSS.escape(found.cue.id)}"]`);
        element?.scrollIntoView({ block: 'nearest', inline: 'center' });
      }
    } else if (issue.trackUid) setSelection({ kind: 'track', uid: issue.trackUid });
    else setSelection(null);
  };

  if (loadState.loading)
    return (
      <section>
        <PageHeader title="Timeline" />
        <Spinner label="Loading the timeline…" />
      </section>
    );
  if (loadState.error)
    return (
      <section>
        <PageHeader title="Timeline" />
        <ErrorNotice error={loadState.error} />
      </section>
    );

  const nameError = issues.find(
    (issue) =>
      issue.severity === 'error' &&
      issue.cueUid === null &&
      issue.trackUid === null &&
      issue.field === 'name',
  );
  const warnings = issues.filter((issue) => issue.severity === 'warning');
  // A running show plays the timeline as it was at GO LIVE; say so before the operator edits it.
  const onAir = live.state?.show;
  const playingNow =
    timelineId !== null && onAir !== null && onAir !== undefined && onAir.timelineId === timelineId;

  return (
    <section className="builder">
      <PageHeader title={timelineId === null ? 'New timeline' : 'Timeline'}>
        <div className={`builder-name${nameError ? ' field-invalid' : ''}`}>
          <label htmlFor="builder-name">Timeline name</label>
          <input
            id="builder-name"
            value={model.settings.name}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'builder-name-error' : undefined}
            onChange={(event) => {
              const name = event.target.value;
              edit((m) => ({ ...m, settings: { ...m.settings, name } }), 'name');
            }}
          />
          {nameError ? (
            <small id="builder-name-error" className="field-error">
              {nameError.message}
            </small>
          ) : null}
        </div>
        <span className={`builder-state${dirty ? ' builder-dirty' : ''}`} aria-live="polite">
          {saving ? 'Saving…' : dirty ? 'Unsaved changes' : savedJson !== null ? 'All changes saved' : ''}
        </span>
        {canSave ? (
          <Button variant="primary" busy={saving} onClick={() => void save()} title="Save (Ctrl+S)">
            Save
          </Button>
        ) : null}
      </PageHeader>
      {!canSave ? (
        <Notice kind="info">
          You can look at this timeline and try changes here; saving them needs the operator role.
        </Notice>
      ) : null}
      {saveError ? <ErrorNotice error={saveError} onDismiss={() => setSaveError(null)} /> : null}
      {playingNow ? (
        <Notice kind="warning">
          This timeline is on air. The show plays it as it was at GO LIVE: saved changes go on air at the next
          GO LIVE.
        </Notice>
      ) : null}
      <div className="builder-grid">
        <Palette catalog={catalog} onAdd={(item) => addItem(item, null, playhead)} />
        <div className="builder-center">
          <Preview documentJson={documentJson} seconds={playhead} />
          <section className="problems" aria-label="Problems">
            <h2>
              {errors.length > 0
                ? `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix`
                : 'No problems'}
              {warnings.length > 0 ? (
                <span className="problems-notes">
                  {warnings.length} note{warnings.length === 1 ? '' : 's'}
                </span>
              ) : null}
              {checking ? <Spinner /> : null}
            </h2>
            {errors.length === 0 && warnings.length === 0 ? (
              <p className="hint">The appliance checks the timeline as you edit it.</p>
            ) : null}
            <ul>
              {[...errors, ...warnings].map((issue) => (
                <li key={`${issue.severity}:${issue.path}:${issue.message}`}>
                  <button
                    type="button"
                    className={`problem problem-${issue.severity}`}
                    onClick={() => selectIssue(issue)}
                  >
                    <span className="problem-where">{describeWhere(issue, model)}</span>
                    <span>{issue.message}</span>
                  </button>
                  <OverlapFixButton issue={issue} model={model} onFix={(change) => edit(change)} />
                </li>
              ))}
            </ul>
          </section>
        </div>
        <Inspector
          editor={editor}
          catalog={catalog}
          selection={selection}
          onSelect={setSelection}
          issues={issues}
          onRemoveTrack={removeTrack}
        />
      </div>
      <Lanes
        editor={editor}
        catalog={catalog}
        playhead={playhead}
        onPlayhead={setPlayhead}
        selection={selection}
        onSelect={setSelection}
        issues={issues}
        onAddTrack={addTrack}
        onRemoveTrack={removeTrack}
        onToggleTrack={toggleTrack}
        announce={announce}
        onAddItem={(item, trackUid, at) => addItem(item, trackUid, at)}
        clipboard={{
          copy: copySelected,
          paste: pasteCopied,
          duplicate: duplicateSelected,
          canCopy: selectedCue !== null,
          canPaste: copied !== null,
        }}
      />
      <p className="builder-status" role="status" aria-live="polite">
        {status}
      </p>
      <Dialog title="Leave without saving?" open={leaving !== null} onClose={() => setLeaving(null)}>
        <p>This timeline has changes that are not saved yet.</p>
        <div className="dialog-actions">
          <Button onClick={() => setLeaving(null)}>Stay here</Button>
          <Button variant="danger" onClick={() => leaving && leave(leaving)}>
            Leave without saving
          </Button>
          {canSave ? (
            <Button
              variant="primary"
              busy={saving}
              onClick={() => {
                const target = leaving;
                void save().then((ok) => ok && target && leave(target));
              }}
            >
              Save and leave
            </Button>
          ) : null}
        </div>
      </Dialog>
      <Dialog
        title="Remove this overlay track?"
        open={removingTrack !== null}
        onClose={() => setRemovingTrack(null)}
      >
        <p>
          Its {model.overlays.find((t) => t.uid === removingTrack)?.cues.length ?? 0} cue(s) are removed with
          it. You can undo this (Ctrl+Z) until you leave the page.
        </p>
        <div className="dialog-actions">
          <Button onClick={() => setRemovingTrack(null)}>Keep it</Button>
          <Button variant="danger" onClick={() => removingTrack && doRemoveTrack(removingTrack)}>
            Remove the track
          </Button>
        </div>
      </Dialog>
    </section>
  );
}

/** The fix an overlap error offers, beside it in the problems list. */
function OverlapFixButton({
  issue,
  model,
  onFix,
}: {
  issue: PlacedIssue;
  model: Model;
  onFix: (change: (model: Model) => Model) => void;
}) {
  const uid = issue.cueUid;
  if (issue.severity !== 'error' || !uid || !/overlap/i.test(issue.message) || !overlappedBy(model, uid))
    return null;
  const onVideo = [...model.video.cues, ...model.audio.cues].some((cue) => cue.uid === uid);
  return onVideo ? (
    <button type="button" className="problem-fix" onClick={() => onFix((m) => placeAfterPrevious(m, uid))}>
      Place after the previous cue
    </button>
  ) : (
    <button
      type="button"
      className="problem-fix"
      onClick={() => onFix((m) => moveCueToNewTrack(m, uid)?.model ?? m)}
    >
      Move to a new track
    </button>
  );
}

function describeWhere(issue: PlacedIssue, model: Model): string {
  if (issue.cueUid) {
    const found = findCue(model, issue.cueUid);
    const cue: Cue | undefined = found?.cue;
    const field = fieldLabel(
      issue.field === 'start_time' ? 'start' : issue.field === 'duration' ? 'length' : issue.field,
    );
    return `Cue "${cue?.id ?? '?'}"${field ? ` · ${field}` : ''}`;
  }
  if (issue.trackUid) {
    const track = model.overlays.find((t) => t.uid === issue.trackUid);
    const name =
      issue.trackUid === 'video'
        ? 'Video track'
        : issue.trackUid === 'audio'
          ? 'Audio bed'
          : (track?.name ?? 'Overlay track');
    return `${name}${issue.field ? ` · ${fieldLabel(issue.field)}` : ''}`;
  }
  return issue.field ? `Timeline · ${fieldLabel(issue.field)}` : 'Timeline';
}
