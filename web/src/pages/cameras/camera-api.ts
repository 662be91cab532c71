// What the camera routes answer (src/api/routes/cameras.ts, camera-media.ts, ptz.ts), and the
// last connection test of each camera, kept while the browser tab lives so the list can show it.
import type { Camera } from '../../../../src/domain/views.ts';
import { ApiError } from '../../api/client.ts';

export type { Camera };
export type CameraType = Camera['camera_type'];

export interface TestOk {
  ok: true;
  video: { codec: string; width: number; height: number; fps: number | null };
  audio: { codec: string } | null;
  latencyMs: number;
}

export interface TestFailed {
  ok: false;
  code: string;
  reason: string;
  remediation: string;
  detail: string | null;
}

export type TestResult = TestOk | TestFailed;

export interface Preset {
  id: number;
  camera_id: number;
  name: string;
  preset_token: string | null;
  pan: number | null;
  tilt: number | null;
  zoom: number | null;
}

export interface SyncResult {
  imported: Preset[];
  skipped: Array<{ token: string; name: string; reason: string }>;
}

/** One line about a good test: "H.264 1920×1080, 30 fps, with sound". */
export function describeVideo(result: TestOk): string {
  const { codec, width, height, fps } = result.video;
  const parts = [`${codec.toUpperCase()} ${width}×${height}`];
  if (fps !== null) parts.push(`${Math.round(fps * 100) / 100} fps`);
  parts.push(result.audio ? 'with sound' : 'no sound');
  return parts.join(', ');
}

/** A failed test as an error the ErrorNotice shows (the reason and what to do). */
export function testFailure(result: TestFailed): ApiError {
  return new ApiError(200, result.code, result.reason, result.remediation, []);
}

const lastTests = new Map<number, TestResult>();
const listeners = new Set<() => void>();

export function lastTest(cameraId: number): TestResult | undefined {
  return lastTests.get(cameraId);
}

export function rememberTest(cameraId: number, result: TestResult | null): void {
  if (result === null) lastTests.delete(cameraId);
  else lastTests.set(cameraId, result);
  for (const listener of listeners) listener();
}

export function onTestsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * One current frame of a saved camera as an object URL (revoke it when done). Fetched rather than
 * put in <img src> so a failure shows the appliance's reason, not a broken image.
 */
export async function fetchSnapshot(cameraId: number, signal: AbortSignal): Promise<string> {
  const response = await fetch(`/api/cameras/${cameraId}/snapshot.jpg`, {
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });
  if (!response.ok) {
    let body: { code?: unknown; message?: unknown; remediation?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // Not the appliance's JSON: the generic words below.
    }
    throw new ApiError(
      response.status,
      typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
      typeof body.message === 'string' ? body.message : 'the camera picture could not be read',
      typeof body.remediation === 'string' ? body.remediation : 'Test the connection to see what is wrong.',
      [],
    );
  }
  return URL.createObjectURL(await response.blob());
}
