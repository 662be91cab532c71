// GOP cache: everything a consumer that joins mid-stream must receive before live tags so that
// its first decoded picture is a keyframe and the decoder is configured:
//
//   FLV header, latest onMetaData, latest AVC sequence header, latest AAC sequence header,
//   then the current GOP (every tag since the last video keyframe, starting with that keyframe).
//
// Bounded: if the current GOP grows beyond maxGopBytes it is dropped, and the cache holds no GOP
// until the next keyframe (a consumer attaching meanwhile waits for that keyframe).
//
// Timestamps: GOP tags keep the encoder's timestamps. The metadata and sequence-header tags were
// emitted at the start of the stream (timestamp 0 normally); in the snapshot they are re-stamped
// with the timestamp of the GOP's keyframe so the bytes a new consumer sees never go backwards.
// (ffmpeg's FLV demuxer turns sequence headers into extradata, so their timestamp carries no
// meaning; the rebasing of the keyframe timestamp itself is left to the publisher ffmpeg.)
import { withTimestamp } from './flv.ts';
import type { FlvHeader, FlvPacket, FlvTag } from './flv.ts';

export const DEFAULT_MAX_GOP_BYTES = 16 * 1024 * 1024;

export type SnapshotRole = 'header' | 'metadata' | 'avc-sequence-header' | 'aac-sequence-header' | 'gop';

export interface SnapshotPart {
  readonly role: SnapshotRole;
  readonly bytes: Buffer;
  /** The tag (absent for the header). */
  readonly tag?: FlvTag;
}

export interface GopCacheOptions {
  /** Upper bound on the bytes held for the current GOP (default 16 MiB). */
  maxGopBytes?: number;
}

export interface GopCacheStats {
  hasHeader: boolean;
  hasGop: boolean;
  gopTags: number;
  gopBytes: number;
  /** Timestamp (ms) of the current GOP's keyframe, or null. */
  gopStartTimestamp: number | null;
  keyframes: number;
  /** GOPs discarded from the cache because they outgrew maxGopBytes. */
  gopOverflows: number;
}

export class GopCache {
  readonly maxGopBytes: number;
  private flvHeader: FlvHeader | undefined;
  private meta: FlvTag | undefined;
  private avcHeader: FlvTag | undefined;
  private aacHeader: FlvTag | undefined;
  private gopTags: FlvTag[] = [];
  private gopSize = 0;
  private keyframes = 0;
  private overflows = 0;

  constructor(options: GopCacheOptions = {}) {
    this.maxGopBytes = options.maxGopBytes ?? DEFAULT_MAX_GOP_BYTES;
    if (!(this.maxGopBytes > 0)) throw new RangeError('maxGopBytes must be positive');
  }

  get header(): FlvHeader | undefined {
    return this.flvHeader;
  }
  get metadata(): FlvTag | undefined {
    return this.meta;
  }
  get avcSequenceHeader(): FlvTag | undefined {
    return this.avcHeader;
  }
  get aacSequenceHeader(): FlvTag | undefined {
    return this.aacHeader;
  }
  /** Tags of the current GOP (first one is the keyframe); empty when there is none. */
  get gop(): readonly FlvTag[] {
    return this.gopTags;
  }
  /** True when a consumer can start from the snapshot and go straight on with live tags. */
  get hasGop(): boolean {
    return this.gopTags.length > 0;
  }

  stats(): GopCacheStats {
    return {
      hasHeader: this.flvHeader !== undefined,
      hasGop: this.hasGop,
      gopTags: this.gopTags.length,
      gopBytes: this.gopSize,
      gopStartTimestamp: this.gopTags[0]?.timestamp ?? null,
      keyframes: this.keyframes,
      gopOverflows: this.overflows,
    };
  }

  add(packet: FlvPacket): void {
    switch (packet.kind) {
      case 'header':
        this.clear();
        this.flvHeader = packet;
        return;
      case 'metadata':
        this.meta = packet;
        return;
      case 'avc-sequence-header':
        // A changed decoder configuration invalidates the cached GOP (encoded with the old one).
        if (this.avcHeader && !this.avcHeader.data.equals(packet.data)) this.dropGop();
        this.avcHeader = packet;
        return;
      case 'aac-sequence-header':
        if (this.aacHeader && !this.aacHeader.data.equals(packet.data)) this.dropGop();
        this.aacHeader = packet;
        return;
      default:
        break;
    }
    if (packet.keyframe) {
      this.keyframes++;
      this.dropGop();
    } else if (this.gopTags.length === 0) {
      return; // no keyframe yet (or GOP dropped): nothing a newcomer could decode
    }
    if (this.gopSize + packet.raw.length > this.maxGopBytes) {
      this.overflows++;
      this.dropGop();
      return;
    }
    this.gopTags.push(packet);
    this.gopSize += packet.raw.length;
  }

  /** The parts a newly (re)started consumer must receive first, in order. */
  snapshotParts(): SnapshotPart[] {
    const parts: SnapshotPart[] = [];
    if (!this.flvHeader) return parts;
    parts.push({ role: 'header', bytes: this.flvHeader.raw });
    const start = this.gopTags[0]?.timestamp;
    const restamp = (tag: FlvTag): FlvTag => (start === undefined ? tag : withTimestamp(tag, start));
    const control: [SnapshotRole, FlvTag | undefined][] = [
      ['metadata', this.meta],
      ['avc-sequence-header', this.avcHeader],
      ['aac-sequence-header', this.aacHeader],
    ];
    for (const [role, tag] of control) {
      if (!tag) continue;
      const stamped = restamp(tag);
      parts.push({ role, bytes: stamped.raw, tag: stamped });
    }
    for (const tag of this.gopTags) parts.push({ role: 'gop', bytes: tag.raw, tag });
    return parts;
  }

  /** Header + metadata + sequence headers + current GOP as one byte string (empty before the header). */
  snapshot(): Buffer {
    return Buffer.concat(this.snapshotParts().map((part) => part.bytes));
  }

  /** Forgets everything (a new FLV stream is starting). */
  clear(): void {
    this.flvHeader = undefined;
    this.meta = undefined;
    this.avcHeader = undefined;
    this.aacHeader = undefined;
    this.dropGop();
  }

  private dropGop(): void {
    this.gopTags = [];
    this.gopSize = 0;
  }
}
