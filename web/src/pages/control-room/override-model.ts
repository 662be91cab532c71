// One model of what is on air and why (issue 16): the timeline, or an override, or a failed
// camera's stand-in; every override in effect with its place in the precedence (emergency > pin >
// force: only the highest is on air, the others wait under it) and the request that cancels it.
// Pure, so the words are unit-tested; the control room draws it (Overrides.tsx).
import type { LiveShow } from '../../../../src/domain/live.ts';

export interface OverrideRow {
  kind: 'emergency' | 'pin' | 'force' | 'overlays';
  /** "Camera 2 (Dock) pinned by you". */
  what: string;
  /** on-air: it decides the picture now; waiting: under a higher override; pending: its camera is
   *  still connecting; active: in effect (the cleared overlays). */
  state: 'on-air' | 'waiting' | 'pending' | 'active';
  /** "On air", "Waiting under the pin of Camera 2 (Dock)". */
  stateText: string;
  cancel: { label: string; path: string; body?: unknown };
}

export type CameraName = (cameraId: number) => string;

/** The sentence under "On air": why this picture is on air. */
export function onAirReason(show: LiveShow, nameOf: CameraName): string {
  const { overrides } = show;
  switch (show.onAirBecause) {
    case 'emergency':
      return 'Emergency test pattern — turned on by you';
    case 'pinned':
      return 'Pinned: the timeline’s camera cues are ignored until you unpin';
    case 'forced':
      return 'Forced by you — until the next cue of the timeline';
    case 'backup':
    case 'slate':
      return show.camera.note ?? 'A camera failed: its stand-in is on air';
    case 'timeline':
      if (overrides.pinnedCameraId !== null)
        return `From the timeline while ${nameOf(overrides.pinnedCameraId)} connects (pinned by you)`;
      if (overrides.forcedCameraId !== null)
        return `From the timeline while ${nameOf(overrides.forcedCameraId)} connects (forced by you)`;
      return 'From the timeline';
  }
}

export function overrideRows(show: LiveShow, nameOf: CameraName): OverrideRow[] {
  const { overrides, onAirBecause } = show;
  const rows: OverrideRow[] = [];
  const standIn = onAirBecause === 'backup' || onAirBecause === 'slate';
  if (overrides.emergency)
    rows.push({
      kind: 'emergency',
      what: 'Emergency test pattern',
      state: 'on-air',
      stateText: 'On air',
      cancel: { label: 'Emergency off', path: '/api/show/overrides/emergency', body: { on: false } },
    });
  if (overrides.pinnedCameraId !== null) {
    const name = nameOf(overrides.pinnedCameraId);
    const waiting = overrides.emergency;
    const pending = !waiting && onAirBecause === 'timeline';
    rows.push({
      kind: 'pin',
      what: `${name} pinned by you`,
      state: waiting ? 'waiting' : pending ? 'pending' : 'on-air',
      stateText: waiting
        ? 'Waiting under the emergency test pattern'
        : pending
          ? 'Connecting — not on air yet'
          : standIn
            ? 'On air through its stand-in (the camera failed)'
            : 'On air',
      cancel: { label: 'Unpin', path: '/api/show/overrides/pin-camera', body: { cameraId: null } },
    });
  }
  if (overrides.forcedCameraId !== null) {
    const name = nameOf(overrides.forcedCameraId);
    const under = overrides.emergency
      ? 'the emergency test pattern'
      : overrides.pinnedCameraId !== null
        ? `the pin of ${nameOf(overrides.pinnedCameraId)}`
        : null;
    const pending = under === null && onAirBecause === 'timeline';
    rows.push({
      kind: 'force',
      what: `${name} forced by you until the next cue`,
      state: under ? 'waiting' : pending ? 'pending' : 'on-air',
      stateText: under
        ? `Waiting under ${under} (ends with the current cue)`
        : pending
          ? 'Connecting — not on air yet'
          : standIn
            ? 'On air through its stand-in (the camera failed)'
            : 'On air',
      cancel: { label: 'Cancel force', path: '/api/show/overrides/cancel-force' },
    });
  }
  const hidden = overrides.hiddenOverlayCues.length;
  if (hidden > 0)
    rows.push({
      kind: 'overlays',
      what: `${hidden} overlay${hidden === 1 ? '' : 's'} cleared by you`,
      state: 'active',
      stateText: 'Off air until their cues play again',
      cancel: { label: 'Restore overlays', path: '/api/show/overrides/restore-overlays' },
    });
  return rows;
}
