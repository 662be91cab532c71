// The largest asset upload: VISTTER_MAX_UPLOAD_MB (the config file's maxUploadMb), read by the
// configuration (src/config.ts) and handed to the API as a number of bytes.

const MIB = 1024 * 1024;

/** Largest upload accepted unless configured: 500 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 500 * MIB;

/** The setting's megabytes (whole or decimal, 1 MB = 1024 × 1024 bytes) in bytes. */
export function uploadBytesOf(megabytes: number): number {
  return Math.floor(megabytes * MIB);
}
