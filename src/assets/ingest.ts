// Asset ingest: an upload is streamed to a temp file in <dataDir>/assets/.incoming/ while its
// SHA-256 is computed, its bytes counted against the limit and its first bytes sniffed; ffprobe
// then reads it (metadata) and ffmpeg makes its thumbnail; only then is it renamed into
// <dataDir>/assets/<sha256>.<ext> and its row inserted. On any failure no row and no file remain.
//
// Pictures have a pixel limit (image-header.ts: 8192 on a side, 40 megapixels): an image's size is
// read from its header before ffprobe or ffmpeg decode anything (a 292 KB PNG can say
// 10000 × 10000), a video's from ffprobe before its thumbnail is made; the thumbnail ffmpeg is
// also told the limit (-max_pixels) and has a time limit.
//
// The stored name is the content's SHA-256: the client's file name is kept only as the display
// `filename`, sanitised. The same content uploaded twice is stored once: the second upload answers
// with the existing asset (created: false) and keeps its display name.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../core/logger.ts';
import { AppError } from '../errors/registry.ts';
import { FFMPEG_BIN } from '../ffmpeg/argv.ts';
import { probe, ProbeError, type ProbeResult } from '../ffmpeg/probe.ts';
import { runProcess, type Runner } from '../ffmpeg/run.ts';
import type { Asset, AssetRepository } from '../store/repositories/records.ts';
import { MAX_IMAGE_PIXELS, pictureTooLarge, withinPixelLimits } from './image-header.ts';
import { readImageFileHeader } from './image-load.ts';
import { sanitizeFilename } from './names.ts';
import { mediaFormat, sniffMedia, SNIFF_BYTES, type Sniffed } from './sniff.ts';

/** Thumbnails are JPEGs at most this wide (never enlarged). */
export const THUMBNAIL_MAX_WIDTH = 320;
const PROBE_TIMEOUT_MS = 30_000;
const THUMBNAIL_TIMEOUT_MS = 30_000;

/** "500 MB", "64 kB", "900 bytes" (binary units, as VISTTER_MAX_UPLOAD_MB counts them). */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024 * 1024, 'GB'],
    [1024 * 1024, 'MB'],
    [1024, 'kB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

export function assetsDir(dataDir: string): string {
  return join(dataDir, 'assets');
}

export function incomingDir(dataDir: string): string {
  return join(assetsDir(dataDir), '.incoming');
}

/**
 * Removes whatever an interrupted upload left in <dataDir>/assets/.incoming (call at start-up,
 * before the API listens). Returns how many entries were removed.
 */
export async function cleanIncomingUploads(dataDir: string): Promise<number> {
  const dir = incomingDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  await Promise.all(names.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  return names.length;
}

/** The stored file's relative path ("assets/<sha256>.<ext>", relative to the data folder). */
export function storedPath(checksum: string, ext: string): string {
  return `assets/${checksum}.${ext}`;
}

/** "assets/<sha256>.png" → "assets/<sha256>.thumb.jpg". */
export function thumbnailPathOf(filePath: string): string {
  const dot = filePath.lastIndexOf('.');
  const slash = filePath.lastIndexOf('/');
  return `${dot > slash ? filePath.slice(0, dot) : filePath}.thumb.jpg`;
}

/** Absolute path of a file the store names (relative to the data folder), only if it lies inside
 *  <dataDir>/assets: a row can never make the API read or delete a file elsewhere. */
export function insideAssets(dataDir: string, relativePath: string): string | null {
  const root = resolve(assetsDir(dataDir));
  const target = resolve(dataDir, relativePath);
  const inside = relative(root, target);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : target;
}

/** What the metadata column holds, the same keys for every type (null when not applicable). */
export interface AssetMetadata {
  [key: string]: unknown;
  width: number | null;
  height: number | null;
  duration: number | null;
  fps: number | null;
  video_codec: string | null;
  audio_codec: string | null;
  sample_rate: number | null;
  channels: number | null;
  format: string | null;
  /** A thumbnail was made (images and videos). */
  thumbnail: boolean;
}

/** Metadata from ffprobe's result. Pure. */
export function assetMetadata(
  type: 'image' | 'video' | 'audio',
  result: ProbeResult,
  thumbnail: boolean,
): AssetMetadata {
  const picture = type !== 'audio';
  const duration =
    type === 'image' ? null : (result.durationSeconds ?? result.audio?.durationSeconds ?? null);
  return {
    width: picture ? result.width : null,
    height: picture ? result.height : null,
    duration: duration === null ? null : Math.round(duration * 1000) / 1000,
    fps: type === 'video' && result.fps !== null ? Math.round(result.fps * 1000) / 1000 : null,
    video_codec: picture ? result.videoCodec : null,
    audio_codec: type === 'image' ? null : result.audioCodec,
    sample_rate: type === 'image' ? null : (result.audio?.sampleRate ?? null),
    channels: type === 'image' ? null : (result.audio?.channels ?? null),
    format: result.formatName,
    thumbnail,
  };
}

/** ffmpeg argv for a thumbnail: one frame (at `seekSeconds`), at most 320 wide, as JPEG. Pure. */
export function thumbnailArgs(input: string, output: string, seekSeconds: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    // The decoder refuses a bigger picture even if a header lied about its size.
    '-max_pixels',
    String(MAX_IMAGE_PIXELS),
    ...(seekSeconds > 0 ? ['-ss', String(seekSeconds)] : []),
    '-i',
    input,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    `scale=w='min(${THUMBNAIL_MAX_WIDTH},iw)':h=-1,format=yuvj420p`,
    '-an',
    '-sn',
    '-dn',
    '-c:v',
    'mjpeg',
    '-q:v',
    '5',
    '-f',
    'mjpeg',
    '-y',
    output,
  ];
}

/** ffmpeg argv decoding the last second of a file, to catch one cut off after a valid header
 *  and index (a truncated MP4 with its index at the front still probes fine). Pure. */
export function tailCheckArgs(input: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-xerror',
    '-sseof',
    '-1',
    '-i',
    input,
    '-f',
    'null',
    '-',
  ];
}

/** What the demuxers print when a file ends before its index says it does. */
const TRUNCATED = /partial file|ended prematurely|truncat/i;

/** The frame a video's thumbnail shows: 1 s in, or the first frame of a shorter video. */
export function thumbnailSeek(type: 'image' | 'video', durationSeconds: number | null): number {
  return type === 'video' && durationSeconds !== null && durationSeconds > 1.5 ? 1 : 0;
}

/** Hashes, counts and sniffs the bytes flowing through; fails fast on a foreign format or too
 *  many bytes, so the client gets its answer without sending the rest. */
class UploadMeter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  sniffed: Sniffed | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    if (this.sniffed === null && this.headBytes < SNIFF_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= SNIFF_BYTES) {
        const error = this.sniff();
        if (error) return done(error);
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.sniffed === null) return done(this.sniff() ?? undefined);
    done();
  }

  private sniff(): AppError | null {
    if (this.bytes === 0) return new AppError('ASSET_UNSUPPORTED', 'the file is empty');
    this.sniffed = sniffMedia(Buffer.concat(this.head).subarray(0, SNIFF_BYTES));
    this.head = [];
    return this.sniffed
      ? null
      : new AppError(
          'ASSET_UNSUPPORTED',
          'the file is not a supported image, video or audio file (its content was checked, not its name)',
        );
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `the file is larger than the upload limit of ${formatBytes(maxBytes)}`,
  );
}

export interface IngestOptions {
  dataDir: string;
  assets: Pick<AssetRepository, 'create' | 'findByChecksum'>;
  /** The upload's bytes. */
  source: Readable;
  /** The name the client gave (display only, sanitised). */
  filename?: string | undefined;
  maxBytes: number;
  log?: Logger;
  /** Injected for tests; default runProcess (ffmpeg for the thumbnail). */
  run?: Runner;
}

export interface IngestResult {
  asset: Asset;
  /** false: the same content was already in the library and that asset is returned. */
  created: boolean;
}

/** Best-effort removal (ENOENT and the like are not an error here). */
function removeQuietly(...paths: Array<string | null>): void {
  for (const path of paths) if (path) rmSync(path, { force: true });
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function fsyncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function probeUpload(path: string): Promise<ProbeResult> {
  try {
    return await probe(path, { timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ProbeError && error.kind === 'spawn_failed') throw error;
    const detail =
      error instanceof ProbeError && error.kind === 'timeout'
        ? `it could not be read within ${PROBE_TIMEOUT_MS / 1000} s`
        : 'ffprobe cannot read it';
    throw new AppError('ASSET_UNREADABLE', `the file is damaged or incomplete: ${detail}`, [], {
      cause: error,
    });
  }
}

/** An uploaded image's header: within the pixel limit, and a size at all (else it is damaged). */
async function checkImageUpload(path: string): Promise<void> {
  const header = await readImageFileHeader(path);
  if (header.kind === 'size') {
    if (!withinPixelLimits(header)) throw pictureTooLarge('the image', header);
    return;
  }
  throw new AppError(
    'ASSET_UNREADABLE',
    'the file is damaged or incomplete: its header gives no picture size',
  );
}

async function makeThumbnail(input: string, output: string, seek: number, run: Runner): Promise<void> {
  const result = await run(FFMPEG_BIN, thumbnailArgs(input, output, seek), THUMBNAIL_TIMEOUT_MS);
  if (result.spawnError !== undefined) throw new Error(`could not run ffmpeg: ${result.spawnError}`);
  let ok = result.code === 0 && !result.timedOut;
  if (ok) {
    const head = await readHead(output, 3);
    ok = head.length === 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  }
  if (!ok) {
    throw new AppError(
      'ASSET_UNREADABLE',
      'the file is damaged or incomplete: no picture could be decoded from it',
    );
  }
}

async function checkTail(input: string, run: Runner): Promise<void> {
  const result = await run(FFMPEG_BIN, tailCheckArgs(input), THUMBNAIL_TIMEOUT_MS);
  if (result.spawnError !== undefined) throw new Error(`could not run ffmpeg: ${result.spawnError}`);
  if (result.code !== 0 || result.timedOut || TRUNCATED.test(result.stderr)) {
    throw new AppError('ASSET_UNREADABLE', 'the file is damaged or incomplete: its end cannot be played');
  }
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** The stored file of an asset exists (a row whose file was removed by hand does not count). */
function fileExists(dataDir: string, asset: Asset): boolean {
  const path = insideAssets(dataDir, asset.file_path);
  return path !== null && existsSync(path);
}

/**
 * Stores one upload as an asset: nothing half-written (see the top of this file). Rejects with
 * AppError ASSET_UNSUPPORTED (415), PAYLOAD_TOO_LARGE (413) or ASSET_UNREADABLE (422), or with the
 * source stream's own error (e.g. a cut-off upload).
 */
export async function ingestAsset(options: IngestOptions): Promise<IngestResult> {
  const { dataDir, assets, maxBytes } = options;
  const run = options.run ?? runProcess;
  const incoming = incomingDir(dataDir);
  await mkdir(incoming, { recursive: true });
  const token = randomUUID();
  const tempFile = join(incoming, `${token}.part`);
  const tempThumb = join(incoming, `${token}.thumb.jpg`);
  let committed = false;
  try {
    const meter = new UploadMeter(maxBytes);
    // The file exists before any byte flows, so the clean-up below never races its creation.
    const sink = (await open(tempFile, 'wx')).createWriteStream();
    await pipeline(options.source, meter, sink);
    const sniffed = meter.sniffed;
    if (!sniffed) throw new AppError('ASSET_UNSUPPORTED', 'the file is not a supported format');
    const checksum = meter.hash.digest('hex');
    const size = meter.bytes;

    // The same content already stored: answer with it, nothing to read or convert.
    const known = assets.findByChecksum(checksum);
    if (known && fileExists(dataDir, known)) return { asset: known, created: false };

    // Before anything decodes it: ffprobe decodes a whole picture to find its stream's details.
    if (sniffed.kind === 'image') await checkImageUpload(tempFile);

    const probed = await probeUpload(tempFile);
    const format = mediaFormat(sniffed, { video: probed.video !== null, audio: probed.audio !== null });
    if (!format) {
      throw new AppError(
        'ASSET_UNREADABLE',
        `the file is damaged or incomplete: it holds no ${sniffed.kind === 'audio' ? 'sound' : 'picture'}`,
      );
    }
    if (format.type !== 'audio' && !((probed.width ?? 0) > 0 && (probed.height ?? 0) > 0)) {
      throw new AppError('ASSET_UNREADABLE', 'the file is damaged or incomplete: its picture has no size');
    }
    if (format.type === 'video') {
      const size = { width: probed.width ?? 0, height: probed.height ?? 0 };
      if (!withinPixelLimits(size)) throw pictureTooLarge('the video', size);
    }
    if (sniffed.kind === 'container') await checkTail(tempFile, run);
    const thumbnail = format.type !== 'audio';
    if (format.type !== 'audio') {
      await makeThumbnail(tempFile, tempThumb, thumbnailSeek(format.type, probed.durationSeconds), run);
      await fsyncFile(tempThumb);
    }
    await fsyncFile(tempFile);

    // From here on everything is synchronous: no other upload can interleave between the
    // duplicate check, the renames and the insert.
    const filePath = storedPath(checksum, format.ext);
    const finalFile = join(dataDir, filePath);
    const finalThumb = thumbnail ? join(dataDir, thumbnailPathOf(filePath)) : null;
    const again = assets.findByChecksum(checksum);
    if (again && fileExists(dataDir, again)) return { asset: again, created: false };
    // A row whose file went missing is repaired by uploading the same content again.
    const restoring = again !== null && again.file_path === filePath ? again : null;
    let asset: Asset;
    try {
      renameSync(tempFile, finalFile);
      if (finalThumb) renameSync(tempThumb, finalThumb);
      fsyncDir(assetsDir(dataDir));
      asset =
        restoring ??
        assets.create({
          asset_type: format.type,
          filename: sanitizeFilename(options.filename, format.ext),
          file_path: filePath,
          file_size: size,
          mime_type: format.mime,
          checksum,
          metadata: assetMetadata(format.type, probed, thumbnail),
        });
    } catch (error) {
      removeQuietly(finalFile, finalThumb);
      throw error;
    }
    if (restoring) {
      committed = true;
      return { asset, created: false };
    }
    committed = true;
    options.log?.info(
      { assetId: asset.id, type: asset.asset_type, bytes: size, mime: asset.mime_type },
      'asset stored',
    );
    return { asset, created: true };
  } finally {
    if (!committed) removeQuietly(tempFile, tempThumb);
  }
}

/** Removes an asset's files (after its row was deleted); missing files are not an error. */
export function removeAssetFiles(dataDir: string, asset: Asset): void {
  const file = insideAssets(dataDir, asset.file_path);
  const thumb = insideAssets(dataDir, thumbnailPathOf(asset.file_path));
  for (const path of [file, thumb]) {
    if (!path) continue;
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
