// The timeline: a toolbar (zoom, snapping, loop, tracks), the time ruler with the playhead, and
// one lane per track — overlay lanes on top (highest layer first, as they stack on screen), the
// video lane at the bottom. Cues are dragged to move, by their edges to resize, and take the
// keyboard (arrows move, Ctrl+arrows resize, Delete removes); an overlay cue dragged up or down
// lands on that overlay lane. Palette items drop where the pointer is. Moves, drops and resizes
// snap (neighbours' edges, then the playhead, then whole seconds) and draw a guide where they do.
// A repeated cue's copies are ghosts: clicking one selects the cue itself.
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { Button } from '../../../components/ui.tsx';
import { accepts, PALETTE_MIME, type Catalog, type PaletteItem } from './catalog.ts';
import { cueTitle, cueTone, transitionOf } from './cues.ts';
import { moveCueToTrack } from './edits.ts';
import {
  cueEnd,
  cueWidth,
  formatTime,
  placeCue,
  repeatGhosts,
  roundTime,
  snapMoveTo,
  snapPoint,
  snapTargets,
  type Cue,
  type PlacedIssue,
  type Snap,
  type Track,
} from './model.ts';
import { dragging } from './Palette.tsx';
import { removeCue, setCueTimes } from './state.ts';
import type { Editor } from './use-editor.ts';

export type Selection = { kind: 'cue'; uid: string } | { kind: 'track'; uid: string } | null;

const HEAD = 168; // lane header width, px
const MIN_PPS = 0.02;
const MAX_PPS = 200;
const TICK_STEPS = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400,
];

function tickSteps(pps: number): { major: number; minor: number | null } {
  const major = TICK_STEPS.find((step) => step * pps >= 80) ?? 86400;
  const minor = [major / 10, major / 5, major / 2].find((step) => step * pps >= 10) ?? null;
  return { major, minor };
}

interface DragState {
  uid: string;
  mode: 'move' | 'start' | 'end';
  pointerX: number;
  pointerY: number;
  start: number;
  duration: number;
  moved: boolean;
  /** The cue's own track (an overlay cue may be dragged onto another overlay lane). */
  trackUid: string;
}

export interface ClipboardActions {
  copy: () => void;
  paste: () => void;
  duplicate: () => void;
  canCopy: boolean;
  canPaste: boolean;
}

/** The shortest a resize leaves a cue: half a second (or its length, if already shorter). */
const MIN_RESIZE_SECONDS = 0.5;

export interface LanesProps {
  editor: Editor;
  catalog: Catalog;
  playhead: number;
  onPlayhead: (seconds: number) => void;
  selection: Selection;
  onSelect: (selection: Selection) => void;
  issues: readonly PlacedIssue[];
  onAddTrack: () => void;
  onRemoveTrack: (uid: string) => void;
  onToggleTrack: (uid: string) => void;
  /** Says something to screen readers and shows it in the status line (e.g. "No room there"). */
  announce: (message: string) => void;
  /** Adds a palette item to a track at a time (the drop's result). */
  onAddItem: (item: PaletteItem, trackUid: string, at: number) => void;
  clipboard: ClipboardActions;
}

export function Lanes(props: LanesProps) {
  const { editor, catalog, playhead, onPlayhead, selection, onSelect, issues, announce } = props;
  const { model } = editor;
  const duration = model.settings.duration;
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ left: 0, width: 900 });
  const [pps, setPps] = useState<number | null>(null);
  const [snap, setSnap] = useState(true);
  const [drag, setDrag] = useState<DragState | null>(null);
  const [preview, setPreview] = useState<{
    uid: string;
    start: number;
    duration: number;
    /** The overlay lane it would land on, when dragged off its own. */
    trackUid: string;
    dy: number;
  } | null>(null);
  /** Where the current drag or drop snapped (a thin guide line is drawn there). */
  const [guide, setGuide] = useState<Snap | null>(null);
  const [dropHint, setDropHint] = useState<{ trackUid: string; start: number; duration: number } | null>(
    null,
  );

  const lanesWidth = Math.max(100, viewport.width - HEAD - 26);
  const fitPps = Math.min(MAX_PPS, Math.max(MIN_PPS, lanesWidth / Math.max(1, duration)));
  const scale = pps ?? fitPps;
  const contentEnd = Math.max(
    duration,
    ...[model.video, ...model.overlays, model.audio].flatMap((track) => (track.cues as Cue[]).map(cueEnd)),
  );
  const contentWidth = HEAD + contentEnd * scale + 24;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const update = () => setViewport({ left: element.scrollLeft, width: element.clientWidth });
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    element.addEventListener('scroll', update, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener('scroll', update);
    };
  }, []);

  /** Zooms keeping the time under `anchorX` (viewport px from the lanes' left) in place. */
  const zoomTo = useCallback(
    (next: number, anchorX?: number) => {
      const element = scroller.current;
      const clamped = Math.min(MAX_PPS, Math.max(Math.min(MIN_PPS, fitPps), next));
      if (!element) return setPps(clamped);
      const anchor = anchorX ?? (element.clientWidth - HEAD) / 2;
      const time = (element.scrollLeft + anchor) / scale;
      setPps(clamped);
      requestAnimationFrame(() => {
        element.scrollLeft = Math.max(0, time * clamped - anchor);
      });
    },
    [fitPps, scale],
  );

  // A palette drag that ends off the lanes (or is cancelled) leaves no hint or guide behind.
  useEffect(() => {
    const clear = () => {
      setDropHint(null);
      setGuide(null);
    };
    window.addEventListener('dragend', clear);
    return () => window.removeEventListener('dragend', clear);
  }, []);

  // Ctrl + wheel zooms (a non-passive listener: the browser's page zoom must not happen).
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      zoomTo(scale * (event.deltaY < 0 ? 1.25 : 0.8), Math.max(0, event.clientX - rect.left - HEAD));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [scale, zoomTo]);

  const timeAt = (clientX: number, laneElement: Element): number => {
    const rect = laneElement.getBoundingClientRect();
    return Math.max(0, (clientX - rect.left) / scale);
  };

  // ------------------------------------------------------------------ ruler / playhead
  const rulerDrag = useRef(false);
  const onRulerPointer = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.type === 'pointerdown') {
      rulerDrag.current = true;
      event.currentTarget.setPointerCapture(event.pointerId);
    } else if (!rulerDrag.current) return;
    const t = Math.min(duration, timeAt(event.clientX, event.currentTarget));
    const snapped = snapPoint(t, { enabled: snap, pps: scale, targets: snapTargets(model, null) });
    onPlayhead(roundTime(t + (snapped?.correction ?? 0)));
  };
  const onRulerKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 10 : 1;
    const moves: Record<string, number> = {
      ArrowLeft: playhead - step,
      ArrowRight: playhead + step,
      PageDown: playhead - 60,
      PageUp: playhead + 60,
      Home: 0,
      End: duration,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    onPlayhead(roundTime(Math.min(duration, Math.max(0, next))));
  };

  // ------------------------------------------------------------------ cue drag
  const onCuePointerDown = (
    event: ReactPointerEvent<HTMLElement>,
    cue: Cue,
    mode: DragState['mode'],
    trackUid: string,
  ) => {
    if (event.button !== 0) return;
    event.stopPropagation();
    event.preventDefault();
    (event.currentTarget.closest('.cue') as HTMLElement | null)?.focus({ preventScroll: true });
    onSelect({ kind: 'cue', uid: cue.uid });
    event.currentTarget.setPointerCapture(event.pointerId);
    setDrag({
      uid: cue.uid,
      mode,
      pointerX: event.clientX,
      pointerY: event.clientY,
      start: cue.start,
      duration: cue.duration,
      moved: false,
      trackUid,
    });
  };
  /** The overlay lane under the pointer, for an overlay cue dragged up or down onto it. */
  const overlayLaneAt = (clientX: number, clientY: number): string | null => {
    // The lane bodies themselves (the dragged cue, drawn over the lane, is not one).
    for (const element of document.elementsFromPoint(clientX, clientY)) {
      if (!(element instanceof HTMLElement) || !element.classList.contains('lane-body')) continue;
      const uid = element.dataset.track;
      if (uid && model.overlays.some((track) => track.uid === uid)) return uid;
    }
    return null;
  };
  const onCuePointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const dx = event.clientX - drag.pointerX;
    const dy = event.clientY - drag.pointerY;
    if (!drag.moved && Math.abs(dx) < 3 && Math.abs(dy) < 6) return;
    const dt = dx / scale;
    // A resize never takes a cue below half a second (a short cue grabbed is never lost).
    const minimum = Math.min(drag.duration, Math.max(1 / model.settings.fps, MIN_RESIZE_SECONDS));
    const options = {
      enabled: snap && !event.altKey,
      pps: scale,
      targets: snapTargets(model, drag.uid),
      playhead,
    };
    let start = drag.start;
    let length = drag.duration;
    let snapped: Snap | null;
    let trackUid = drag.trackUid;
    if (drag.mode === 'move') {
      const moved = snapMoveTo(drag.start + dt, drag.duration, options);
      start = Math.max(0, moved.start);
      snapped = moved.snap;
      // Overlay cues follow the pointer onto another overlay lane.
      if (model.overlays.some((track) => track.uid === drag.trackUid))
        trackUid = overlayLaneAt(event.clientX, event.clientY) ?? drag.trackUid;
    } else if (drag.mode === 'start') {
      const end = drag.start + drag.duration;
      const raw = Math.min(end - minimum, Math.max(0, drag.start + dt));
      snapped = snapPoint(raw, options);
      start = Math.min(end - minimum, raw + (snapped?.correction ?? 0));
      length = end - start;
    } else {
      const raw = Math.max(drag.start + minimum, drag.start + drag.duration + dt);
      snapped = snapPoint(raw, options);
      length = Math.max(minimum, raw + (snapped?.correction ?? 0) - drag.start);
    }
    // Nothing snapped to: times land on tenths of a second (what the fields show).
    if (!snapped) {
      start = Math.round(start * 10) / 10;
      length = Math.max(minimum, Math.round(length * 10) / 10);
    }
    setDrag({ ...drag, moved: true });
    setGuide(snapped);
    setPreview({
      uid: drag.uid,
      start: roundTime(start),
      duration: roundTime(length),
      trackUid,
      dy: trackUid === drag.trackUid ? 0 : dy,
    });
  };
  const onCuePointerUp = () => {
    if (drag?.moved && preview) {
      const { uid, start, duration: length, trackUid } = preview;
      editor.edit((m) => {
        const timed = setCueTimes(uid, start, length)(m);
        return trackUid === drag.trackUid ? timed : moveCueToTrack(timed, uid, trackUid);
      });
      if (trackUid !== drag.trackUid) {
        const target = model.overlays.find((track) => track.uid === trackUid);
        announce(`Moved to ${target?.name || 'another overlay track'}.`);
      }
    }
    setDrag(null);
    setPreview(null);
    setGuide(null);
  };

  const onCueKey = (event: KeyboardEvent<HTMLDivElement>, cue: Cue) => {
    const step = event.shiftKey ? 10 : 1;
    const ctrl = event.ctrlKey || event.metaKey;
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      editor.edit(removeCue(cue.uid));
      onSelect(null);
      announce(`Removed ${cueTitle(cue, catalog)}`);
      return;
    }
    if (event.key === 'Escape') {
      onSelect(null);
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect({ kind: 'cue', uid: cue.uid });
      return;
    }
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    event.preventDefault();
    const sign = event.key === 'ArrowLeft' ? -1 : 1;
    onSelect({ kind: 'cue', uid: cue.uid });
    if (ctrl) {
      const length = roundTime(Math.max(1 / model.settings.fps, cue.duration + sign * step));
      editor.edit(setCueTimes(cue.uid, cue.start, length), `key-resize-${cue.uid}`);
    } else {
      const start = roundTime(Math.max(0, cue.start + sign * step));
      editor.edit(setCueTimes(cue.uid, start, cue.duration), `key-move-${cue.uid}`);
    }
  };

  // ------------------------------------------------------------------ drops from the palette
  const laneKind = (track: Track) => track.kind;
  /** Where a drop lands: under the pointer, snapped like a moved cue's start. */
  const dropSnap = (clientX: number, lane: Element): { at: number; snap: Snap | null } => {
    const t = timeAt(clientX, lane);
    const snapped = snapPoint(t, { enabled: snap, pps: scale, targets: snapTargets(model, null), playhead });
    // Nothing in reach: the pointer's time to the tenth (what the fields show).
    const at = snapped ? t + snapped.correction : Math.round(t * 10) / 10;
    return { at: roundTime(Math.max(0, at)), snap: snapped };
  };
  const dropTime = (clientX: number, lane: Element): number => dropSnap(clientX, lane).at;
  const onDragOver = (event: DragEvent<HTMLDivElement>, track: Track) => {
    const item = dragging.item;
    if (!item || !event.dataTransfer.types.includes(PALETTE_MIME) || !accepts(item, laneKind(track))) {
      if (dropHint?.trackUid === track.uid) setDropHint(null);
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    const { at, snap: snapped } = dropSnap(event.clientX, event.currentTarget);
    if (snapped?.at !== guide?.at || snapped?.kind !== guide?.kind) setGuide(snapped);
    const wanted = track.kind === 'video' ? 30 : track.kind === 'audio' ? duration : 10;
    const place = placeCue(track.cues, at, wanted, duration);
    if (
      place &&
      (dropHint?.trackUid !== track.uid ||
        dropHint.start !== place.start ||
        dropHint.duration !== place.duration)
    )
      setDropHint({ trackUid: track.uid, ...place });
  };
  const onDrop = (event: DragEvent<HTMLDivElement>, track: Track) => {
    event.preventDefault();
    setDropHint(null);
    setGuide(null);
    let item = dragging.item;
    const raw = event.dataTransfer.getData(PALETTE_MIME);
    if (raw) item = JSON.parse(raw) as PaletteItem;
    dragging.item = null;
    if (!item || !accepts(item, laneKind(track))) return;
    props.onAddItem(item, track.uid, dropTime(event.clientX, event.currentTarget));
  };

  // ------------------------------------------------------------------ rendering
  const { major, minor } = tickSteps(scale);
  const from = Math.max(0, Math.floor((viewport.left - HEAD) / scale / major) * major);
  const to = Math.min(contentEnd, (viewport.left + viewport.width) / scale + major);
  const ticks: Array<{ t: number; major: boolean }> = [];
  const step = minor ?? major;
  for (let i = Math.floor(from / step); i * step <= to && ticks.length < 2000; i++) {
    const t = roundTime(i * step);
    ticks.push({ t, major: Math.abs(t / major - Math.round(t / major)) < 1e-6 });
  }
  // The audio bed's lane under the pictures' (as an editor lays out sound under video).
  const lanes: Track[] = [...[...model.overlays].sort((a, b) => b.layer - a.layer), model.video, model.audio];
  const issuesOf = (cueUid: string) => issues.filter((issue) => issue.cueUid === cueUid);

  return (
    <section className="tl" aria-label="Timeline">
      <div className="tl-toolbar" role="toolbar" aria-label="Timeline tools">
        <div className="tl-group">
          <Button onClick={() => zoomTo(scale / 1.5)} aria-label="Zoom out" title="Zoom out (Ctrl + wheel)">
            −
          </Button>
          <Button onClick={() => zoomTo(scale * 1.5)} aria-label="Zoom in" title="Zoom in (Ctrl + wheel)">
            +
          </Button>
          <Button
            onClick={() => {
              setPps(null);
              if (scroller.current) scroller.current.scrollLeft = 0;
            }}
            title="Show the whole timeline"
          >
            Fit
          </Button>
          <span className="tl-scale" aria-live="polite">
            {formatTime(major, true)} per mark
          </span>
        </div>
        <label className="tl-switch">
          <input
            type="checkbox"
            role="switch"
            checked={snap}
            onChange={(event) => setSnap(event.target.checked)}
          />
          Snap
        </label>
        <label className="tl-switch">
          <input
            type="checkbox"
            role="switch"
            checked={model.settings.loop}
            onChange={(event) => {
              const loop = event.target.checked;
              editor.edit((m) => ({ ...m, settings: { ...m.settings, loop } }));
            }}
          />
          Loop
        </label>
        <div className="tl-group tl-right">
          <Button onClick={editor.undo} disabled={!editor.canUndo} title="Undo (Ctrl+Z)">
            Undo
          </Button>
          <Button onClick={editor.redo} disabled={!editor.canRedo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </Button>
          <Button
            onClick={props.clipboard.copy}
            disabled={!props.clipboard.canCopy}
            title="Copy the selected cue (Ctrl+C)"
          >
            Copy
          </Button>
          <Button
            onClick={props.clipboard.paste}
            disabled={!props.clipboard.canPaste}
            title="Paste at the playhead, on the selected track (Ctrl+V)"
          >
            Paste
          </Button>
          <Button
            onClick={props.clipboard.duplicate}
            disabled={!props.clipboard.canCopy}
            title="A copy right after the selected cue (Ctrl+D)"
          >
            Duplicate
          </Button>
          <Button onClick={props.onAddTrack}>+ Overlay track</Button>
        </div>
      </div>
      <div className="tl-scroller" ref={scroller}>
        <div className="tl-content" style={{ width: contentWidth }}>
          <div className="tl-ruler-row">
            <div className="tl-corner">{formatTime(playhead)}</div>
            <div
              className="tl-ruler"
              role="slider"
              tabIndex={0}
              aria-label="Playhead"
              aria-valuemin={0}
              aria-valuemax={duration}
              aria-valuenow={playhead}
              aria-valuetext={formatTime(playhead)}
              style={{ width: contentEnd * scale }}
              onPointerDown={onRulerPointer}
              onPointerMove={onRulerPointer}
              onPointerUp={() => (rulerDrag.current = false)}
              onKeyDown={onRulerKey}
            >
              {ticks.map(({ t, major: isMajor }) => (
                <span
                  key={t}
                  className={isMajor ? 'tick tick-major' : 'tick'}
                  style={{ left: t * scale }}
                  aria-hidden="true"
                >
                  {isMajor ? <span className="tick-label">{formatTime(t, major < 1)}</span> : null}
                </span>
              ))}
              <span className="tl-end" style={{ left: duration * scale }} aria-hidden="true" />
              <span className="playhead-handle" style={{ left: playhead * scale }} aria-hidden="true" />
            </div>
          </div>
          {lanes.map((track) => {
            const laneSelected = selection?.kind === 'track' && selection.uid === track.uid;
            const trackIssues = issues.filter(
              (issue) => issue.trackUid === track.uid && issue.cueUid === null,
            );
            const title =
              track.kind === 'video'
                ? 'Video'
                : track.kind === 'audio'
                  ? 'Audio'
                  : track.name || `Overlays ${track.layer}`;
            const subtitle =
              track.kind === 'video'
                ? 'Cameras & media'
                : track.kind === 'audio'
                  ? 'Music bed'
                  : `Layer ${track.layer}`;
            return (
              <div
                key={track.uid}
                className={`lane lane-${track.kind}${track.kind !== 'video' && !track.enabled ? ' lane-off' : ''}${preview && preview.dy !== 0 && preview.trackUid === track.uid ? ' lane-drop-target' : ''}`}
              >
                <div
                  className={`lane-head${laneSelected ? ' lane-head-selected' : ''}${trackIssues.some((i) => i.severity === 'error') ? ' lane-head-error' : ''}`}
                >
                  <button
                    type="button"
                    className="lane-name"
                    onClick={() => onSelect({ kind: 'track', uid: track.uid })}
                    aria-pressed={laneSelected}
                  >
                    <strong>{title}</strong> <small>{subtitle}</small>
                    <span className="visually-hidden">, track settings</span>
                  </button>
                  {track.kind !== 'video' ? (
                    <span className="lane-actions">
                      <button
                        type="button"
                        className="lane-icon"
                        aria-label={
                          track.kind === 'audio'
                            ? `${track.enabled ? 'Mute' : 'Unmute'} the audio bed`
                            : `${track.enabled ? 'Hide' : 'Show'} ${title}`
                        }
                        aria-pressed={!track.enabled}
                        title={track.enabled ? 'On air (click to switch this track off)' : 'Switched off'}
                        onClick={() => props.onToggleTrack(track.uid)}
                      >
                        {track.enabled ? '◉' : '○'}
                      </button>
                      {track.kind === 'overlay' ? (
                        <button
                          type="button"
                          className="lane-icon"
                          aria-label={`Remove ${title}`}
                          title="Remove this track"
                          onClick={() => props.onRemoveTrack(track.uid)}
                        >
                          ×
                        </button>
                      ) : null}
                    </span>
                  ) : null}
                </div>
                <div
                  className="lane-body"
                  data-track={track.uid}
                  aria-label={`${title} lane`}
                  role="group"
                  style={{ width: contentEnd * scale }}
                  onDragOver={(event) => onDragOver(event, track)}
                  onDragLeave={() => {
                    if (dropHint?.trackUid !== track.uid) return;
                    setDropHint(null);
                    setGuide(null);
                  }}
                  onDrop={(event) => onDrop(event, track)}
                  onPointerDown={(event) => {
                    if (event.button !== 0 || event.target !== event.currentTarget) return;
                    onSelect(null);
                    onPlayhead(roundTime(Math.min(duration, timeAt(event.clientX, event.currentTarget))));
                  }}
                >
                  <span className="lane-after-end" style={{ left: duration * scale }} aria-hidden="true" />
                  {track.kind === 'audio' && track.cues.length === 0 ? (
                    <span className="lane-empty-hint">
                      No music: drag an audio file here from the palette’s Sound list for a music bed
                    </span>
                  ) : null}
                  {(track.cues as Cue[]).map((cue) => {
                    const shown = preview?.uid === cue.uid ? { ...cue, ...preview } : cue;
                    const cueIssues = issuesOf(cue.uid);
                    const errors = cueIssues.filter((issue) => issue.severity === 'error');
                    const selected = selection?.kind === 'cue' && selection.uid === cue.uid;
                    const width = cueWidth(shown.duration, scale);
                    const fadeIn = transitionFade(cue);
                    const titleText = cueTitle(cue, catalog);
                    const timeText = `${formatTime(shown.start)}–${formatTime(cueEnd(shown))}`;
                    // Drawn wider than its length (a short cue on a long timeline): say how long it is.
                    const lengthText =
                      shown.duration * scale < width ? ` (${formatTime(shown.duration)} long)` : '';
                    const ghosts = repeatGhosts(shown, duration);
                    const repeatText =
                      cue.repeat && ghosts.length > 0
                        ? `, repeats every ${formatTime(cue.repeat.every)} (${ghosts.length} cop${ghosts.length === 1 ? 'y' : 'ies'})`
                        : '';
                    const dy = preview?.uid === cue.uid ? preview.dy : 0;
                    const transition = transitionOf(cue);
                    const transitionText = transition
                      ? `, ${transition} in ${formatTime(fadeIn)}`
                      : cue.action === 'play_audio'
                        ? `, fades in ${formatTime(fadeIn)} and out ${formatTime(cue.params.fade_out ?? 0)}`
                        : '';
                    return [
                      <div
                        key={cue.uid}
                        role="button"
                        tabIndex={0}
                        data-cue-id={cue.id}
                        aria-pressed={selected}
                        aria-invalid={errors.length > 0 || undefined}
                        aria-label={`${titleText}, ${timeText}${transitionText}${repeatText}${errors.length > 0 ? `, ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.message).join('; ')}` : ''}`}
                        title={
                          errors.length > 0
                            ? errors.map((e) => e.message).join('\n')
                            : `${titleText}\n${timeText}${lengthText}${transitionText}${repeatText}`
                        }
                        className={`cue cue-${cueTone(cue)}${selected ? ' cue-selected' : ''}${errors.length > 0 ? ' cue-error' : cueIssues.length > 0 ? ' cue-warning' : ''}${preview?.uid === cue.uid ? ' cue-dragging' : ''}${width < 40 ? ' cue-narrow' : ''}`}
                        style={{
                          left: shown.start * scale,
                          width,
                          ...(dy !== 0 ? { transform: `translateY(${dy}px)` } : {}),
                        }}
                        onPointerDown={(event) => onCuePointerDown(event, cue, 'move', track.uid)}
                        onPointerMove={onCuePointerMove}
                        onPointerUp={onCuePointerUp}
                        onPointerCancel={onCuePointerUp}
                        onKeyDown={(event) => onCueKey(event, cue)}
                        onFocus={() => onSelect({ kind: 'cue', uid: cue.uid })}
                      >
                        {fadeIn > 0 ? (
                          <span
                            className="cue-fade"
                            data-testid={`transition-${cue.id}`}
                            style={{ width: wedgeWidth(fadeIn, scale, width) }}
                            aria-hidden="true"
                          />
                        ) : null}
                        {cue.action === 'play_audio' && (cue.params.fade_out ?? 0) > 0 ? (
                          <span
                            className="cue-fade cue-fade-out"
                            style={{ width: wedgeWidth(cue.params.fade_out ?? 0, scale, width) }}
                            aria-hidden="true"
                          />
                        ) : null}
                        {width > 34 ? (
                          <span className="cue-words" aria-hidden="true">
                            <span className="cue-title">{titleText}</span>{' '}
                            {width > 90 ? (
                              <span className="cue-time">
                                {timeText}
                                {lengthText}
                              </span>
                            ) : null}
                          </span>
                        ) : null}
                        {errors.length > 0 ? (
                          <span className="cue-flag" aria-hidden="true">
                            !
                          </span>
                        ) : null}
                        <span
                          className="cue-handle cue-handle-start"
                          aria-hidden="true"
                          onPointerDown={(event) => onCuePointerDown(event, cue, 'start', track.uid)}
                        />
                        <span
                          className="cue-handle cue-handle-end"
                          data-testid={`resize-end-${cue.id}`}
                          aria-hidden="true"
                          onPointerDown={(event) => onCuePointerDown(event, cue, 'end', track.uid)}
                        />
                      </div>,
                      // The copies: drawn, not separately selectable; a click selects the cue itself.
                      ...ghosts.map((start) => (
                        <span
                          key={`${cue.uid}@${start}`}
                          className={`cue cue-ghost cue-${cueTone(cue)}`}
                          data-ghost-of={cue.id}
                          aria-hidden="true"
                          title={`Repeat of ${cue.id} at ${formatTime(start)}: edit the cue itself`}
                          style={{ left: start * scale, width: cueWidth(shown.duration, scale) }}
                          onPointerDown={(event) => {
                            if (event.button !== 0) return;
                            event.stopPropagation();
                            onSelect({ kind: 'cue', uid: cue.uid });
                          }}
                        >
                          {fadeIn > 0 ? (
                            <span
                              className="cue-fade"
                              style={{ width: wedgeWidth(fadeIn, scale, cueWidth(shown.duration, scale)) }}
                            />
                          ) : null}
                        </span>
                      )),
                    ];
                  })}
                  {dropHint?.trackUid === track.uid ? (
                    <span
                      className="drop-ghost"
                      style={{ left: dropHint.start * scale, width: dropHint.duration * scale }}
                      aria-hidden="true"
                    >
                      {formatTime(dropHint.start)}
                    </span>
                  ) : null}
                </div>
              </div>
            );
          })}
          <div className="playhead-line" style={{ left: HEAD + playhead * scale }} aria-hidden="true" />
          {guide ? (
            <div
              className={`snap-guide snap-guide-${guide.kind}`}
              data-testid="snap-guide"
              style={{ left: HEAD + guide.at * scale }}
              aria-hidden="true"
            >
              <span>
                {guide.kind === 'edge'
                  ? 'edge'
                  : guide.kind === 'playhead'
                    ? 'playhead'
                    : formatTime(guide.at)}
              </span>
            </div>
          ) : null}
        </div>
      </div>
      <p className="hint tl-help">
        Drag a cue to move it (up or down onto another overlay track), its edges to change its length (hold
        Alt to place freely). With a cue selected: ← → move it 1 s (Shift: 10 s), Ctrl + ← → shorten or
        lengthen it, Ctrl+C copies, Ctrl+V pastes at the playhead, Ctrl+D duplicates, Delete removes it. Ctrl
        + wheel zooms.
      </p>
    </section>
  );
}

/** A transition's wedge: its true length, but never too thin to see (nor wider than half the cue). */
function wedgeWidth(seconds: number, pps: number, cueWidthPx: number): number {
  return Math.min(cueWidthPx, Math.max(seconds * pps, Math.min(8, cueWidthPx / 2)));
}

/** Seconds of a cue's transition in or fade in (drawn as a wedge at its start). */
function transitionFade(cue: Cue): number {
  if (cue.action === 'show_overlay' || cue.action === 'play_audio') return cue.params.fade_in ?? 0;
  if (!transitionOf(cue)) return 0;
  return cue.params.transition_duration ?? 1;
}
