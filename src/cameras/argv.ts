// Argv for the camera checks (argv is data, DESIGN.md §3.5): a stream description with ffprobe
// ("test connection") and one JPEG frame with ffmpeg (snapshot). Pure builders, pinned by golden
// tests in test/unit/cameras/argv.test.ts. Both connect the way the engine's camera decoder does
// (RTSP over TCP, a socket timeout, a 2 s analysis budget), so a camera that passes the test also
// connects on air.
import { networkInputArgs, type RtspTransport } from '../ffmpeg/argv.ts';

/** Widest snapshot: enough for a preview in the web UI, small enough to send quickly. */
export const SNAPSHOT_MAX_WIDTH = 1280;
/** Same analysis budget as the engine's camera decoder (cameraDecoderArgs' analyzeSeconds). */
export const CAMERA_ANALYZE_SECONDS = 2;

export interface CameraConnectOptions {
  /** Socket I/O timeout; a camera that accepts the connection and stays silent fails after it. */
  ioTimeoutSeconds: number;
  /** RTSP only; default tcp (as on air). */
  transport?: RtspTransport;
  /** Stream analysis budget at connect; default 2 s. */
  analyzeSeconds?: number;
}

function inputArgs(url: string, o: CameraConnectOptions): string[] {
  const analyze = o.analyzeSeconds ?? CAMERA_ANALYZE_SECONDS;
  if (!Number.isFinite(analyze) || analyze <= 0) {
    throw new RangeError(`analyzeSeconds must be > 0, got ${analyze}`);
  }
  return [
    ...networkInputArgs(url, o.ioTimeoutSeconds, o.transport ?? 'tcp'),
    '-analyzeduration',
    String(Math.round(analyze * 1_000_000)),
    '-i',
    url,
  ];
}

/** ffprobe argv (argv[0] not included): the camera's streams as JSON. Pure. */
export function cameraTestArgs(url: string, o: CameraConnectOptions): string[] {
  return ['-hide_banner', '-loglevel', 'level+error', '-of', 'json', '-show_streams', ...inputArgs(url, o)];
}

export interface SnapshotArgsOptions extends CameraConnectOptions {
  /** Frames wider than this are scaled down (aspect kept); default 1280. */
  maxWidth?: number;
  /** mjpeg quality, 2 (best) to 31; default 3. */
  quality?: number;
}

/** ffmpeg argv (argv[0] not included): the first decodable video frame as one JPEG on stdout. Pure. */
export function snapshotArgs(url: string, o: SnapshotArgsOptions): string[] {
  const maxWidth = o.maxWidth ?? SNAPSHOT_MAX_WIDTH;
  if (!Number.isInteger(maxWidth) || maxWidth < 16 || maxWidth % 2 !== 0) {
    throw new RangeError(`maxWidth must be an even integer >= 16, got ${maxWidth}`);
  }
  const quality = o.quality ?? 3;
  if (!Number.isInteger(quality) || quality < 2 || quality > 31) {
    throw new RangeError(`quality must be an integer from 2 to 31, got ${quality}`);
  }
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+error',
    ...inputArgs(url, o),
    '-map',
    '0:v:0',
    '-an',
    '-frames:v',
    '1',
    // Never upscale; -2 keeps the aspect ratio with an even height.
    '-vf',
    `scale='min(${maxWidth},iw)':-2`,
    '-c:v',
    'mjpeg',
    '-q:v',
    String(quality),
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}
