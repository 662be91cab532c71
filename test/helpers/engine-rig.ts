// For a describe block that runs the engine against real parts: a temporary folder, one simulated
// RTSP camera and nginx-rtmp (app "live"), stopped after the block together with every process
// the engine supervised.
import { after } from 'node:test';
import { stopAllSupervised } from '../../src/process/supervisor.ts';
import { startCameraSim, type CameraSim } from './camera-sim.ts';
import { startRtmpServer, type RtmpServer } from './rtmp-server.ts';
import { tempDir } from './temp.ts';

export interface CameraAndRtmp {
  dir: { path: string };
  /** Starts the camera and the RTMP server (inside the test, so their start-up counts there). */
  start(): Promise<{ sim: CameraSim; rtmp: RtmpServer }>;
}

export function useCameraAndRtmp(prefix: string): CameraAndRtmp {
  const dir = tempDir(prefix);
  let sim: CameraSim | undefined;
  let rtmp: RtmpServer | undefined;
  after(async () => {
    await stopAllSupervised();
    await Promise.all([sim?.stop(), rtmp?.destroy()]);
    dir.cleanup();
  });
  return {
    dir,
    async start() {
      [sim, rtmp] = await Promise.all([startCameraSim({ cameras: 1 }), startRtmpServer({ apps: ['live'] })]);
      return { sim, rtmp };
    },
  };
}
