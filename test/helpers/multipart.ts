// A multipart/form-data upload built by hand, exactly as a browser sends one file.
import type { LightMyRequestResponse } from 'fastify';
import type { ApiHarness } from './api.ts';

const BOUNDARY = '----vistter-upload-boundary-3c9a';

/** POST /api/assets with one file in the field "file". */
export function uploadAsset(
  api: ApiHarness,
  data: Buffer,
  filename: string,
  contentType = 'application/octet-stream',
): Promise<LightMyRequestResponse> {
  const body = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        `Content-Type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  return api.call('POST', '/api/assets', body, {
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
  });
}
