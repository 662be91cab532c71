// The client's file name is kept for display only (the stored file is named by its checksum):
// these helpers make it harmless to show and to send back in a Content-Disposition header. Pure.

const MAX_NAME_CHARS = 200;
/** C0/C1 controls and the bidirectional overrides that can make "gnp.exe" look like "exe.png". */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A display name from what the client sent: the last path segment only (both / and \), no control
 * or direction characters, no leading dots, at most 200 characters (the extension kept). Falls back
 * to "upload.<ext>" when nothing usable is left.
 */
export function sanitizeFilename(raw: string | undefined, fallbackExt: string): string {
  const lastSegment = (raw ?? '').split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .normalize('NFC')
    .replace(UNSAFE_CHARS, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (name === '') return `upload.${fallbackExt}`;
  const chars = [...name];
  if (chars.length > MAX_NAME_CHARS) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = chars.slice(0, MAX_NAME_CHARS - ext.length).join('') + ext;
  }
  return name;
}

/** RFC 8187 value: UTF-8, percent-encoded (encodeURIComponent leaves ' ( ) * unescaped). */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback and the exact name. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(filename)}`;
}
