// What the browser preview does to the FLV it receives before the player sees it (pure: no DOM,
// no clock; the caller passes arrival times).
//
// - Whole units: the byte stream is cut into the file header and whole tags, so timestamps can be
//   rewritten in place whatever the message boundaries are.
// - Time never goes backwards, and never leaps: the stream starts at 0, and when a track's
//   timestamp steps back (an encoder restart that the fan-out does not rebase starts again at 0)
//   or both tracks leap forward (a rebased restart after an outage, ~1.5 s; GOPs the fan-out
//   dropped for a slow viewer) everything after it is shifted to continue just after the last
//   tag. The outage was a stall on screen already; left in the timeline, the player would show
//   the last old frame for that long again, or seek into the new GOP and skip part of it.
// - Fan-out clock: the appliance says when each picture entered its fan-out (clock messages);
//   with the timestamps in and out of the continuity, the picture on screen is found among them
//   and its delay behind the output measured on this browser's clock (see FanoutClock).

const HEADER_BYTES = 9 + 4; // 'FLV' header + PreviousTagSize0
const TAG_HEADER_BYTES = 11;
const TRAILER_BYTES = 4; // PreviousTagSize
const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
/** A video frame's duration when the stream has not shown one yet (30 fps). */
const DEFAULT_FRAME_MS = 33;
/** A step forward past the newest tag of either track larger than this is a leap over an outage
 *  (audio tags come every ~21 ms, so only a pause of both tracks gets this far). */
const MAX_FORWARD_STEP_MS = 500;
/** Output timestamps stay below this (FLV readers treat them as signed 32-bit milliseconds). */
export const MAX_OUTPUT_TIMESTAMP_MS = 2 ** 31 - 10 * 60_000;

export interface VideoTagInfo {
  /** Output timestamp (ms). */
  timestamp: number;
  /** The timestamp it came with (what the appliance's clock messages name). */
  input: number;
  keyframe: boolean;
  /** An AVC sequence header (SPS/PPS: a new picture size may follow). */
  sequenceHeader: boolean;
}

export interface ContinuityOutput {
  /** Whole units, timestamps rewritten; empty when the input held only part of a unit. */
  bytes: Uint8Array;
  video: VideoTagInfo[];
  /** The input stepped back or leapt forward (an encoder restart) and was shifted to continue. */
  restarted: boolean;
}

export class FlvContinuity {
  private pending = new Uint8Array(0);
  private headerDone = false;
  /** Added to every input timestamp. */
  private shift: number | null = null;
  private readonly lastIn = new Map<number, number>();
  private lastOut = 0;
  private lastVideoOut: number | null = null;
  private videoFrameMs = DEFAULT_FRAME_MS;
  restarts = 0;

  /** The newest output timestamp: past MAX_OUTPUT_TIMESTAMP_MS the player must start afresh. */
  get newestTimestamp(): number {
    return this.lastOut;
  }

  push(chunk: Uint8Array): ContinuityOutput {
    const data = this.pending.length > 0 ? concat(this.pending, chunk) : chunk;
    const out: Uint8Array[] = [];
    const video: VideoTagInfo[] = [];
    let restarted = false;
    let at = 0;
    if (!this.headerDone) {
      if (data.length < HEADER_BYTES) {
        this.pending = data.slice();
        return { bytes: new Uint8Array(0), video, restarted };
      }
      out.push(data.subarray(0, HEADER_BYTES));
      at = HEADER_BYTES;
      this.headerDone = true;
    }
    while (data.length - at >= TAG_HEADER_BYTES) {
      const size = (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
      const total = TAG_HEADER_BYTES + size + TRAILER_BYTES;
      if (data.length - at < total) break;
      const tag = data.slice(at, at + total);
      at += total;
      const type = tag[0]! & 0x1f;
      const first = size >= 1 ? tag[TAG_HEADER_BYTES]! : 0;
      const packetType = size >= 2 ? tag[TAG_HEADER_BYTES + 1] : undefined;
      const avcHeader = type === TAG_VIDEO && (first & 0x0f) === 7 && packetType === 0;
      const aacHeader = type === TAG_AUDIO && first >> 4 === 10 && packetType === 0;
      let output: number;
      if ((type === TAG_AUDIO || type === TAG_VIDEO) && !avcHeader && !aacHeader) {
        const input = readTimestamp(tag);
        this.shift ??= -input;
        const previous = this.lastIn.get(type);
        const back = previous !== undefined && input < previous;
        const leap = this.lastIn.size > 0 && input + this.shift - this.lastOut > MAX_FORWARD_STEP_MS;
        if (back || leap) {
          // A new encoder run: its first frame follows the last video frame, so the picture
          // has no hole to stall in (new audio may overlap the old run's last few ms).
          this.shift = (this.lastVideoOut ?? this.lastOut) + this.videoFrameMs - input;
          this.lastIn.clear();
          this.restarts++;
          restarted = true;
        }
        output = Math.max(0, input + this.shift);
        this.lastOut = Math.max(this.lastOut, output);
        if (type === TAG_VIDEO) {
          const step = previous === undefined || back || leap ? 0 : input - previous;
          if (step > 0 && step <= 200) this.videoFrameMs = step;
          this.lastVideoOut = output;
          video.push({ timestamp: output, input, keyframe: first >> 4 === 1, sequenceHeader: false });
        }
        this.lastIn.set(type, input);
      } else {
        // Sequence headers and script data belong where the stream is now: in order, never
        // back in time (the player reads their contents, not their time).
        output = this.lastOut;
        if (avcHeader)
          video.push({ timestamp: output, input: readTimestamp(tag), keyframe: false, sequenceHeader: true });
      }
      writeTimestamp(tag, output);
      out.push(tag);
    }
    this.pending = data.slice(at);
    return { bytes: out.length === 1 ? out[0]! : concat(...out), video, restarted };
  }
}

/**
 * When each picture entered the appliance's fan-out (its clock messages, appliance ms) and which
 * output timestamp it became here; so, how far the picture on screen is behind the output on
 * this browser's clock. The two clocks are tied by the smallest (arrival − sending) seen in the
 * last `windowMs`: the clocks' difference plus the quickest delivery (milliseconds on a venue's
 * network, and not counted as delay).
 */
export class FanoutClock {
  private readonly entered = new Map<number, number>();
  private frames: { output: number; input: number }[] = [];
  private offsets: { at: number; offset: number }[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly maxFrames = 1800,
  ) {}

  /** The appliance's note: picture `timestamp` entered the fan-out at `at`; it came at `receivedAt`. */
  noteEntered(timestamp: number, at: number, receivedAt: number): void {
    this.entered.delete(timestamp);
    this.entered.set(timestamp, at);
    if (this.entered.size > this.maxFrames) this.entered.delete(this.entered.keys().next().value!);
    this.offsets.push({ at: receivedAt, offset: receivedAt - at });
    const since = receivedAt - this.windowMs;
    if (this.offsets[0]!.at < since) this.offsets = this.offsets.filter((sample) => sample.at >= since);
  }

  /** A picture went to the player: its timestamp there (`output`) and as sent (`input`). */
  notePassed(output: number, input: number): void {
    this.frames.push({ output, input });
    if (this.frames.length > 2 * this.maxFrames) this.frames = this.frames.slice(-this.maxFrames);
  }

  /** How far the picture with output timestamp `screen` is behind the output at `now`, if known. */
  delayMs(now: number, screen: number): number | null {
    if (this.offsets.length === 0) return null;
    let frame: { output: number; input: number } | undefined;
    for (let i = this.frames.length - 1; i >= 0; i--)
      if (this.frames[i]!.output <= screen) {
        frame = this.frames[i];
        break;
      }
    const at = frame ? this.entered.get(frame.input) : undefined;
    if (at === undefined) return null;
    const offset = Math.min(...this.offsets.map((sample) => sample.offset));
    return Math.max(0, now - (at + offset));
  }
}

function readTimestamp(tag: Uint8Array): number {
  return ((tag[7]! << 24) | (tag[4]! << 16) | (tag[5]! << 8) | tag[6]!) >>> 0;
}

function writeTimestamp(tag: Uint8Array, timestamp: number): void {
  tag[4] = (timestamp >>> 16) & 0xff;
  tag[5] = (timestamp >>> 8) & 0xff;
  tag[6] = timestamp & 0xff;
  tag[7] = (timestamp >>> 24) & 0xff;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
