// The operator's live overrides, applied to each tick's resolved state (pure: no clock, no I/O).
// Precedence, highest first: the emergency test pattern, a pinned camera (until unpinned), a
// forced camera (until the video track's next cue begins), then the timeline. An override cuts
// (no transition). A lower override waits under a higher one and is shown as waiting. Pinning
// ends any force (the pin is the newer choice: an Unpin never revives an older force); a force
// made while pinned waits under the pin and still ends with its cue. "Return to the timeline"
// ends every override at once. "Clear overlays" takes off the overlays on air now; each comes back only when
// its cue plays again (next loop), and overlays whose cues start later show as scheduled.
import type { ActiveOverlay, ProgramState, VideoSource } from '../timeline/resolver.ts';

export interface OverrideSnapshot {
  emergency: boolean;
  pinnedCameraId: number | null;
  forcedCameraId: number | null;
  hiddenOverlayCues: string[];
}

export interface OverriddenProgram {
  /** What the operator wants on air; null: the timeline's own video (with its transition). */
  video: VideoSource | null;
  overlays: ActiveOverlay[];
}

export class LiveOverrides {
  private emergency = false;
  private pinned: number | null = null;
  /** The forced camera and the video cue on air when it was forced (null: a gap). */
  private forced: { cameraId: number; cueId: string | null } | null = null;
  private readonly hidden = new Set<string>();
  private lastState: ProgramState | null = null;

  setEmergency(on: boolean): void {
    this.emergency = on;
  }

  pin(cameraId: number | null): void {
    if (cameraId !== null) this.forced = null;
    this.pinned = cameraId;
  }

  cancelForce(): void {
    this.forced = null;
  }

  /** Ends every override: the emergency, the pin, the force and the cleared overlays. */
  returnToTimeline(): void {
    this.emergency = false;
    this.pinned = null;
    this.forced = null;
    this.hidden.clear();
  }

  /** One shot: holds until the video track's next cue starts (or the operator jumps). */
  force(cameraId: number): void {
    this.forced = { cameraId, cueId: this.lastState?.video.cueId ?? null };
  }

  clearOverlays(): void {
    for (const overlay of this.lastState?.overlays ?? []) this.hidden.add(overlay.cueId);
  }

  restoreOverlays(): void {
    this.hidden.clear();
  }

  /** A jump ends what was tied to the old position. */
  jumped(): void {
    this.forced = null;
    this.hidden.clear();
    this.lastState = null;
  }

  snapshot(): OverrideSnapshot {
    return {
      emergency: this.emergency,
      pinnedCameraId: this.pinned,
      forcedCameraId: this.forced?.cameraId ?? null,
      hiddenOverlayCues: [...this.hidden],
    };
  }

  /** Cameras an override may put on air soon (they must be decoding). */
  wantedCameras(): number[] {
    return [this.pinned, this.forced?.cameraId ?? null].filter((id): id is number => id !== null);
  }

  apply(state: ProgramState, slate: VideoSource): OverriddenProgram {
    if (this.forced && this.lastState && state.video.cueId !== this.forced.cueId) this.forced = null;
    if (this.hidden.size > 0) {
      const active = new Set(state.overlays.map((o) => o.cueId));
      for (const cueId of this.hidden) if (!active.has(cueId)) this.hidden.delete(cueId);
    }
    this.lastState = state;
    const overlays =
      this.hidden.size > 0 ? state.overlays.filter((o) => !this.hidden.has(o.cueId)) : state.overlays;
    const camera = this.pinned ?? this.forced?.cameraId ?? null;
    const video: VideoSource | null = this.emergency
      ? slate
      : camera !== null
        ? { kind: 'camera', cameraId: camera }
        : null;
    return { video, overlays };
  }
}
