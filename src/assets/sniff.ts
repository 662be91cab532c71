// What kind of media an upload is, from its first bytes (magic numbers) only: never from the file
// name or the Content-Type the client sent. Pure. ffprobe then confirms the file really is readable
// and, for containers that can hold video or only audio (MP4, Matroska, Ogg), which one it is.

/** Bytes needed to recognise every supported format (the Matroska DocType sits in the first 64). */
export const SNIFF_BYTES = 64;

export type MediaFamily =
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'webp'
  | 'mp4'
  | 'mov'
  | 'm4a'
  | 'matroska'
  | 'webm'
  | 'mp3'
  | 'wav'
  | 'ogg'
  | 'aac';

export interface Sniffed {
  family: MediaFamily;
  /** 'image' and 'audio' are certain; 'container' is decided by the streams ffprobe finds. */
  kind: 'image' | 'audio' | 'container';
}

const KIND: Record<MediaFamily, Sniffed['kind']> = {
  png: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  mp4: 'container',
  mov: 'container',
  m4a: 'container',
  matroska: 'container',
  webm: 'container',
  ogg: 'container',
  mp3: 'audio',
  wav: 'audio',
  aac: 'audio',
};

function ascii(head: Uint8Array, start: number, text: string): boolean {
  if (head.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

function indexOfAscii(head: Uint8Array, text: string): number {
  for (let i = 0; i + text.length <= head.length; i++) if (ascii(head, i, text)) return i;
  return -1;
}

/** ISO base media (MP4, MOV, M4A): a box size then "ftyp" and the major brand. */
function isoFamily(head: Uint8Array): MediaFamily | null {
  if (ascii(head, 4, 'ftyp')) {
    if (ascii(head, 8, 'qt  ')) return 'mov';
    if (ascii(head, 8, 'M4A ') || ascii(head, 8, 'M4B ')) return 'm4a';
    return 'mp4';
  }
  // Older QuickTime files start directly with one of these atoms.
  if (ascii(head, 4, 'moov') || ascii(head, 4, 'mdat') || ascii(head, 4, 'wide')) return 'mov';
  return null;
}

/**
 * MPEG audio frame header: 11 sync bits, a valid version (not 01), a layer (not 00), a bitrate
 * index other than 1111 and a sample-rate index other than 11. ADTS (AAC) has layer 00.
 */
function frameSync(head: Uint8Array): 'mp3' | 'aac' | null {
  if (head.length < 4 || head[0] !== 0xff) return null;
  const b1 = head[1]!;
  const b2 = head[2]!;
  if ((b1 & 0xf6) === 0xf0) {
    // ADTS: 12 sync bits, layer 00; sampling index 13–15 is reserved.
    return ((b2 >> 2) & 0x0f) < 13 ? 'aac' : null;
  }
  if ((b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  const bitrate = (b2 >> 4) & 0x0f;
  const sampleRate = (b2 >> 2) & 0x03;
  if (version === 1 || layer === 0 || bitrate === 0x0f || sampleRate === 3) return null;
  return 'mp3';
}

/** The media family of a file from its first bytes (give at least SNIFF_BYTES when the file has
 *  them), or null when it is none of the supported formats. */
export function sniffMedia(head: Uint8Array): Sniffed | null {
  const family = sniffFamily(head);
  return family ? { family, kind: KIND[family] } : null;
}

function sniffFamily(head: Uint8Array): MediaFamily | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML header: its DocType is "webm" or "matroska".
    return indexOfAscii(head, 'webm') >= 0 ? 'webm' : 'matroska';
  }
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, 'ID3')) return 'mp3';
  const iso = isoFamily(head);
  if (iso) return iso;
  return frameSync(head);
}

export interface MediaFormat {
  mime: string;
  /** File extension the stored copy gets (without the dot). */
  ext: string;
}

const IMAGE_FORMATS: Record<string, MediaFormat> = {
  png: { mime: 'image/png', ext: 'png' },
  jpeg: { mime: 'image/jpeg', ext: 'jpg' },
  gif: { mime: 'image/gif', ext: 'gif' },
  webp: { mime: 'image/webp', ext: 'webp' },
};
const AUDIO_FORMATS: Record<string, MediaFormat> = {
  mp3: { mime: 'audio/mpeg', ext: 'mp3' },
  wav: { mime: 'audio/wav', ext: 'wav' },
  aac: { mime: 'audio/aac', ext: 'aac' },
  m4a: { mime: 'audio/mp4', ext: 'm4a' },
  mp4: { mime: 'audio/mp4', ext: 'm4a' },
  mov: { mime: 'audio/mp4', ext: 'm4a' },
  matroska: { mime: 'audio/x-matroska', ext: 'mka' },
  webm: { mime: 'audio/webm', ext: 'webm' },
  ogg: { mime: 'audio/ogg', ext: 'ogg' },
};
const VIDEO_FORMATS: Record<string, MediaFormat> = {
  mp4: { mime: 'video/mp4', ext: 'mp4' },
  m4a: { mime: 'video/mp4', ext: 'mp4' },
  mov: { mime: 'video/quicktime', ext: 'mov' },
  matroska: { mime: 'video/x-matroska', ext: 'mkv' },
  webm: { mime: 'video/webm', ext: 'webm' },
  ogg: { mime: 'video/ogg', ext: 'ogv' },
};

/**
 * The asset type, MIME type and extension of a sniffed file once the streams are known:
 * a container with a picture stream is a video, with only sound an audio file. null when the
 * file has no stream of the kind its format must have (it is then unreadable, not unsupported).
 */
export function mediaFormat(
  sniffed: Sniffed,
  streams: { video: boolean; audio: boolean },
): (MediaFormat & { type: 'image' | 'video' | 'audio' }) | null {
  const { family, kind } = sniffed;
  if (kind === 'image') return streams.video ? { type: 'image', ...IMAGE_FORMATS[family]! } : null;
  if (kind === 'audio') return streams.audio ? { type: 'audio', ...AUDIO_FORMATS[family]! } : null;
  // An M4A file may carry its cover art as a picture stream: it stays audio.
  if (streams.video && family !== 'm4a') return { type: 'video', ...VIDEO_FORMATS[family]! };
  if (streams.audio) return { type: 'audio', ...AUDIO_FORMATS[family]! };
  if (streams.video) return { type: 'video', ...VIDEO_FORMATS[family]! };
  return null;
}
