// The asset library: upload (multipart, streamed to disk, never buffered), list and search,
// download, thumbnails, delete. Files are addressed by asset id only: no path from the client
// ever reaches the file system.
import { open } from 'node:fs/promises';
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ingestAsset,
  insideAssets,
  removeAssetFiles,
  thumbnailPathOf,
  tooLarge,
} from '../../assets/ingest.ts';
import { PIXEL_LIMIT_TEXT } from '../../assets/image-header.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../assets/upload-limit.ts';
import { contentDisposition } from '../../assets/names.ts';
import { createLogger } from '../../core/logger.ts';
import { ASSET_TYPES } from '../../domain/schemas.ts';
import { AppError, isAppError } from '../../errors/registry.ts';
import type { Asset, AssetUsage } from '../../store/repositories/records.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, type ApiInstance } from '../http.ts';

const ListQuery = z.strictObject({
  type: z.enum(ASSET_TYPES, { error: `must be one of ${ASSET_TYPES.join(', ')}` }).optional(),
  q: z.string().trim().max(100, { error: 'must be at most 100 characters' }).optional(),
});

/** Ids are never reused (AUTOINCREMENT) and an asset's content never changes. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** 409 ASSET_IN_USE, with the timelines that use the asset (id, name, cue ids) in `timelines`. */
export class AssetInUseError extends AppError {
  constructor(
    asset: Asset,
    readonly timelines: AssetUsage[],
  ) {
    const names = timelines.map((t) => `${t.id} "${t.name}"`).join(', ');
    super(
      'ASSET_IN_USE',
      `asset ${asset.id} ("${asset.filename}") is used by ${
        timelines.length === 1 ? 'timeline' : `${timelines.length} timelines:`
      } ${names}`,
      timelines.map((t, index) => ({
        path: `timelines[${index}]`,
        message: `timeline ${t.id} "${t.name}" uses it in cue ${t.cue_ids.join(', ')}`,
      })),
    );
  }

  override toJSON() {
    return { ...super.toJSON(), timelines: this.timelines };
  }
}

/**
 * A single byte range ("bytes=a-b", "bytes=a-", "bytes=-n") within a file of `size` bytes, or null
 * to send the whole file (no Range, several ranges, or one that cannot be satisfied: a server may
 * ignore Range). Pure.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || size === 0) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  let start: number;
  let end: number;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

/** Errors of a cut-off or too large upload, mapped to the registry. */
function uploadError(error: unknown, maxBytes: number): unknown {
  if (isAppError(error)) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (
    code === 'FST_MP_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /unexpected end of (form|multipart data)|terminated early/i.test(message ?? '')
  ) {
    return new AppError(
      'UPLOAD_INCOMPLETE',
      'the upload ended before the whole file arrived; nothing was stored',
      [],
      {
        cause: error,
      },
    );
  }
  return error;
}

/** Streams a stored file (or one range of it) with its own type and length. */
async function sendFile(
  reply: FastifyReply,
  path: string | null,
  missing: () => AppError,
  headers: { type: string; range?: string | undefined; disposition?: string },
): Promise<FastifyReply> {
  if (!path) throw missing();
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    throw missing();
  }
  try {
    const { size } = await handle.stat();
    const range = headers.range === undefined ? null : parseRange(headers.range, size);
    void reply
      .type(headers.type)
      .header('cache-control', IMMUTABLE)
      .header('x-content-type-options', 'nosniff')
      .header('accept-ranges', 'bytes');
    if (headers.disposition) void reply.header('content-disposition', headers.disposition);
    if (range) {
      void reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1);
    } else {
      void reply.header('content-length', size);
    }
    const stream = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    return reply.send(stream);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export function registerAssetRoutes(app: ApiInstance, deps: ApiDeps): void {
  const { store, dataDir } = deps;
  const maxBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const log = deps.logger ?? createLogger('assets');

  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // Multipart only for these routes; busboy stops one byte past the limit (the ingest counts
    // and answers 413), takes one file and a few small fields.
    await scope.register(multipart, {
      limits: { fileSize: maxBytes + 1, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
    });

    scope.post(
      '/api/assets',
      {
        schema: {
          tags: ['assets'],
          summary: 'Upload an image, video or audio file (multipart/form-data, field "file")',
          description:
            'The type is read from the content, not the name. Answers 201 with the new asset, or 200 with ' +
            'the existing one when the same content is already in the library. 413 over the upload limit ' +
            '(VISTTER_MAX_UPLOAD_MB), 415 for other formats, 422 for a damaged file or a picture over the ' +
            `pixel limit (IMAGE_TOO_LARGE: ${PIXEL_LIMIT_TEXT}, read from the header before anything decodes it).`,
        },
      },
      async (request, reply) => {
        const part = await request.file();
        if (!part) {
          throw new AppError('VALIDATION_FAILED', 'no file was sent', [
            { path: 'file', message: 'choose a file to upload (multipart field "file")' },
          ]);
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError('VALIDATION_FAILED', 'the file must be sent in the field "file"', [
            { path: part.fieldname, message: 'unexpected file field; use "file"' },
          ]);
        }
        // Past the limit busboy stops reading: fail now rather than when the client has sent it all.
        part.file.once('limit', () => part.file.destroy(tooLarge(maxBytes)));
        try {
          const { asset, created } = await ingestAsset({
            dataDir,
            assets: store.assets,
            source: part.file,
            filename: part.filename,
            maxBytes,
            log,
          });
          return reply.code(created ? 201 : 200).send(asset);
        } catch (error) {
          // A browser reads the answer only once it has sent the whole body: the rest is read and
          // dropped, or a refused upload (413, 415) would leave the page waiting forever.
          request.raw.resume();
          throw uploadError(error, maxBytes);
        }
      },
    );

    scope.get(
      '/api/assets',
      {
        schema: {
          tags: ['assets'],
          summary: 'The asset library (filter by type; q searches the file names)',
          querystring: ListQuery,
        },
      },
      async (request) => store.assets.list(request.query),
    );

    scope.get(
      '/api/assets/:id',
      { schema: { tags: ['assets'], summary: 'One asset with its metadata', params: IdParams } },
      async (request) => store.assets.get(request.params.id),
    );

    scope.get(
      '/api/assets/:id/file',
      { schema: { tags: ['assets'], summary: 'Download the file (Range supported)', params: IdParams } },
      async (request, reply) => {
        const asset = store.assets.get(request.params.id);
        return sendFile(
          reply,
          insideAssets(dataDir, asset.file_path),
          () =>
            new AppError('ASSET_NOT_FOUND', `the file of asset ${asset.id} is missing from the data folder`),
          {
            type: asset.mime_type ?? 'application/octet-stream',
            range: request.headers.range,
            disposition: contentDisposition(asset.filename),
          },
        );
      },
    );

    scope.get(
      '/api/assets/:id/thumbnail.jpg',
      {
        schema: {
          tags: ['assets'],
          summary: 'A JPEG thumbnail (at most 320 wide) of an image or video',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const asset = store.assets.get(request.params.id);
        const missing = () =>
          new AppError(
            'ASSET_NO_THUMBNAIL',
            asset.asset_type === 'audio'
              ? `asset ${asset.id} is an audio file: it has no thumbnail`
              : `the thumbnail of asset ${asset.id} is missing from the data folder`,
          );
        const path =
          asset.asset_type === 'audio' ? null : insideAssets(dataDir, thumbnailPathOf(asset.file_path));
        return sendFile(reply, path, missing, { type: 'image/jpeg' });
      },
    );

    scope.delete(
      '/api/assets/:id',
      {
        schema: {
          tags: ['assets'],
          summary: 'Delete an asset and its files (409 while a timeline uses it)',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const result = store.assets.deleteUnlessUsed(request.params.id);
        if (!result.deleted) throw new AssetInUseError(result.asset, result.usage);
        try {
          removeAssetFiles(dataDir, result.asset);
        } catch (error) {
          // The row is gone; a file that could not be removed is only wasted space.
          log.warn({ err: error, assetId: result.asset.id }, 'could not remove the files of a deleted asset');
        }
        return reply.code(204).send();
      },
    );
  });
}
