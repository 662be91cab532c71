// Each camera's state in the running show, in the camera list's words. Pure (no DOM), so the
// unit tests check it beside the server's side (src/app/show-control.ts cameraStates).
import type { LiveState } from '../../../../src/domain/live.ts';
/** A camera's state in the running show, as the list shows it; null when no show runs. */
export interface CameraLiveState {
  label: string;
  badge: 'live' | 'ok' | 'idle' | 'error';
  /** More about a failure (the open alert's sentence), if the appliance gave one. */
  detail: string | null;
}

/**
 * What the live feed says about one camera (web/src/app/live-context.ts): on air, standby
 * (decoding), connecting, failed with its cause, or not in the show. The demo show's generated
 * cameras are not the configured ones: during the demo nothing is said.
 */
export function cameraLiveState(state: LiveState | null, cameraId: number): CameraLiveState | null {
  const show = state?.state === 'live' ? state.show : null;
  if (!show || show.demo) return null;
  const entry = show.cameras.find((camera) => camera.cameraId === cameraId);
  if (!entry) return { label: 'Not in the show', badge: 'idle', detail: null };
  switch (entry.state) {
    case 'on_air':
      return { label: 'On air', badge: 'live', detail: null };
    case 'standby':
      return { label: 'Standby (decoding)', badge: 'ok', detail: null };
    case 'connecting':
      return { label: 'Connecting', badge: 'idle', detail: null };
    case 'failed': {
      const alert = state?.alerts.find((a) => a.source === `camera:${cameraId}` && !a.acknowledged);
      return {
        label: `Failed: ${entry.cause ?? 'no picture'}`,
        badge: 'error',
        detail: alert?.message ?? null,
      };
    }
  }
}
