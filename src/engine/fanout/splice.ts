// ProgramSplicer (pure: no I/O, no clock): many encoder runs in, one continuous FLV program out.
//
// Every run of the encoder is an input with an FLV stream of its own. Destinations must never see
// a new session because of it, so the splicer hands the fan-out one program:
//   - The first input is on air at once.
//   - A later input takes over at its first video keyframe K (time C):
//       planned (make-before-break): the encoder announced the program time P at which it starts
//         feeding the new run. From P − HOLD_MARGIN_MS on, the old run's media tags are held back;
//         when K arrives, the held tags before C go out, the rest are dropped, and the new run
//         follows from K. Both runs encode the same program clock, so there is no gap and no
//         overlap. Until K arrives the old run's output waits (a short delivery pause, never a
//         timestamp gap).
//       after a crash: the old run has ended; the new run goes on air at K and its timestamps
//         step forward by the outage (program time is wall-clock time).
//     New sequence headers go out in-band just before K (only when their bytes differ), so a
//     publisher forwards them and a player reconfigures (e.g. 1280×720 → 852×480).
//   - A new run's FLV header and onMetaData are not forwarded (consumers have a header; a
//     mid-stream onMetaData becomes a stray stream in ffmpeg's FLV demuxer): metadata only
//     updates what a newcomer receives.
//
// Timestamps: ffmpeg's FLV muxer writes 31-bit milliseconds (they wrap after 24.8 days); each
// input is unwrapped into program milliseconds. Output decode timestamps never go back across
// both tracks: an input whose keyframe would land behind what is already out is shifted forward
// (rebased) by the difference, and a stray tag behind the output is dropped.
import { encodeTag, type FlvHeader, type FlvPacket, type FlvTag, type FlvTagKind } from './flv.ts';

/** The old run's tags are held from this long before the announced cut: covers the new run's
 *  decode-timestamp shift (B-frames) and its first keyframe landing a frame late. */
export const HOLD_MARGIN_MS = 500;
/** A planned takeover that has held the old run's output this long is given up (the owner is
 *  told through `held()`; it normally abandons the new run before). */
export const MAX_HOLD_MS = 15_000;

const WRAP_31 = 2 ** 31;
const WRAP_32 = 2 ** 32;

export type InputState = 'waiting' | 'on-air' | 'retired' | 'ended';

/** What leaves the splicer, in order. */
export type SplicedOutput =
  | { kind: 'header'; header: FlvHeader }
  /** A tag consumers receive. `time` is program ms (unbounded); tag.timestamp is time mod 2^32. */
  | { kind: 'tag'; tag: FlvTag; time: number }
  /** The newest onMetaData: for newcomers only, never forwarded to live consumers. */
  | { kind: 'metadata'; tag: FlvTag; time: number };

export interface InputStats {
  id: number;
  name: string;
  state: InputState;
  /** ms added to this input's (unwrapped) timestamps; > 0 when it was rebased. */
  offsetMs: number;
  /** Program ms of its newest video and audio tags (unwrapped, before the offset). */
  lastVideoMs: number | null;
  lastAudioMs: number | null;
  tagsOut: number;
  tagsDropped: number;
}

export interface SplicerStats {
  inputs: InputStats[];
  /** Program ms of the newest tag out. */
  lastOutMs: number | null;
  /** Takeovers done: planned ones with no gap, and ones after the run on air ended. */
  plannedSwitches: number;
  recoverySwitches: number;
  /** Largest forward step of the output between two video tags at a takeover, in ms. */
  lastSwitchStepMs: number | null;
  /** The latest takeovers: where in the program (ms) and the video step they left (ms). */
  switches: { atMs: number; stepMs: number | null; planned: boolean }[];
  /** Program ms of the first tag out (the program's start as consumers see it). */
  firstOutMs: number | null;
  /** Tags held back from the run on air while a takeover waits for its keyframe. */
  heldTags: number;
}

interface Timed {
  tag: FlvTag;
  /** Unwrapped program ms, before the input's offset. */
  time: number;
}

interface Input {
  id: number;
  name: string;
  state: InputState;
  lastRaw: number | null;
  epoch: number;
  offset: number;
  /** Announced program time at which this (waiting) run's first frame starts. */
  cutAt: number | null;
  /** Program time its first timestamp should be near (picks its 2^31 epoch). */
  expectMs: number | null;
  metadata: Timed | null;
  avc: FlvTag | null;
  aac: FlvTag | null;
  /** Waiting: its media from its first keyframe on, until it goes on air. */
  pending: Timed[];
  keyframeTime: number | null;
  lastVideo: number | null;
  lastAudio: number | null;
  sawAudio: boolean;
  tagsOut: number;
  tagsDropped: number;
}

export class ProgramSplicer {
  private readonly emit: (out: SplicedOutput) => void;
  private readonly inputs = new Map<number, Input>();
  private nextId = 1;
  private onAir: Input | null = null;
  private headerSent = false;
  private lastOut: number | null = null;
  private lastVideoOut: number | null = null;
  private currentAvc: Buffer | null = null;
  private currentAac: Buffer | null = null;
  /** The on-air run's media held back during a planned takeover. */
  private held: { input: Input; timed: Timed }[] = [];
  private plannedSwitches = 0;
  private recoverySwitches = 0;
  private lastSwitchStep: number | null = null;
  private readonly switches: SplicerStats['switches'] = [];
  private firstOut: number | null = null;

  constructor(emit: (out: SplicedOutput) => void) {
    this.emit = emit;
  }

  /**
   * A new encoder run. `startMs`: the program time (ms) of the first frame it is fed — it also
   * tells which 2^31 epoch its first (31-bit) timestamp is in. `planned`: a make-before-break
   * takeover at startMs (the run on air is held back from shortly before it). Without it, the
   * new run takes over at its first keyframe when nothing else is on air (start, crash).
   */
  open(name: string, options: { startMs?: number; planned?: boolean } = {}): number {
    const input: Input = {
      id: this.nextId++,
      name,
      state: 'waiting',
      lastRaw: null,
      epoch: 0,
      offset: 0,
      cutAt: options.planned === true ? (options.startMs ?? null) : null,
      expectMs: options.startMs ?? this.lastOut,
      metadata: null,
      avc: null,
      aac: null,
      pending: [],
      keyframeTime: null,
      lastVideo: null,
      lastAudio: null,
      sawAudio: false,
      tagsOut: 0,
      tagsDropped: 0,
    };
    this.inputs.set(input.id, input);
    return input.id;
  }

  /** One packet of an input's FLV stream, in stream order. */
  packet(inputId: number, packet: FlvPacket): void {
    const input = this.inputs.get(inputId);
    if (!input || input.state === 'retired' || input.state === 'ended') return;
    if (packet.kind === 'header') {
      if (!this.headerSent) {
        this.headerSent = true;
        this.emit({ kind: 'header', header: packet });
      }
      return;
    }
    // Control tags carry no program time of their own (ffmpeg writes onMetaData at 0): only media
    // tags move the unwrapping.
    const media = packet.kind === 'video' || packet.kind === 'audio';
    const time = media
      ? this.unwrap(input, packet.timestamp)
      : ((input.lastRaw === null ? input.expectMs : input.epoch + input.lastRaw) ?? 0);
    switch (packet.kind) {
      case 'metadata':
        input.metadata = { tag: packet, time };
        if (input === this.onAir) this.emit({ kind: 'metadata', tag: packet, time: time + input.offset });
        return;
      case 'avc-sequence-header':
        input.avc = packet;
        if (input === this.onAir) this.sendSequenceHeader(packet, this.lastOut ?? time + input.offset);
        return;
      case 'aac-sequence-header':
        input.aac = packet;
        if (input === this.onAir) this.sendSequenceHeader(packet, this.lastOut ?? time + input.offset);
        return;
      default:
        break;
    }
    if (isVideo(packet.kind)) input.lastVideo = time;
    else if (packet.kind === 'audio') {
      input.lastAudio = time;
      input.sawAudio = true;
    }
    if (input === this.onAir) {
      this.fromOnAir(input, { tag: packet, time });
    } else {
      this.fromWaiting(input, { tag: packet, time });
    }
    this.trySwitch();
  }

  /** The input's stream ended (its encoder exited). */
  close(inputId: number): void {
    const input = this.inputs.get(inputId);
    if (!input) return;
    const wasOnAir = input === this.onAir;
    input.state = 'ended';
    input.pending = [];
    if (wasOnAir) {
      this.onAir = null;
      // What it sent before it died is good program: send it (a takeover may still cut it).
      if (!this.waitingTakeover()) this.releaseHeld(Infinity);
    }
    this.inputs.delete(inputId);
    this.trySwitch();
  }

  /** Gives up a waiting input's takeover (it failed or took too long): the run on air goes on,
   *  with what was held back sent late rather than lost. */
  abandon(inputId: number): void {
    const input = this.inputs.get(inputId);
    if (!input || input === this.onAir) return;
    input.state = 'retired';
    input.pending = [];
    this.inputs.delete(inputId);
    if (!this.waitingTakeover()) this.releaseHeld(Infinity);
  }

  /** Program ms (after its offset) of an input's newest video tag; null before its first or once
   *  it has ended. */
  lastVideoMs(inputId: number): number | null {
    const input = this.inputs.get(inputId);
    return input?.lastVideo === null || input === undefined ? null : input.lastVideo + input.offset;
  }

  /** The input currently on air, or null. */
  get onAirInput(): number | null {
    return this.onAir?.id ?? null;
  }

  /** How long (program ms) of the on-air run's output is held back; 0 when nothing is. */
  heldMs(): number {
    if (this.held.length === 0) return 0;
    return this.held.at(-1)!.timed.time - this.held[0]!.timed.time;
  }

  stats(): SplicerStats {
    return {
      inputs: [...this.inputs.values()].map((input) => ({
        id: input.id,
        name: input.name,
        state: input.state,
        offsetMs: input.offset,
        lastVideoMs: input.lastVideo,
        lastAudioMs: input.lastAudio,
        tagsOut: input.tagsOut,
        tagsDropped: input.tagsDropped,
      })),
      lastOutMs: this.lastOut,
      plannedSwitches: this.plannedSwitches,
      recoverySwitches: this.recoverySwitches,
      lastSwitchStepMs: this.lastSwitchStep,
      switches: [...this.switches],
      firstOutMs: this.firstOut,
      heldTags: this.held.length,
    };
  }

  // ── internals ──

  /** Raw FLV timestamps (31-bit from ffmpeg, or 32-bit) → unbounded program ms. */
  private unwrap(input: Input, raw: number): number {
    if (input.lastRaw === null && input.expectMs !== null && raw < WRAP_31) {
      input.epoch = Math.max(0, Math.round((input.expectMs - raw) / WRAP_31)) * WRAP_31;
    } else if (input.lastRaw !== null && raw < input.lastRaw - WRAP_31 / 2) {
      input.epoch += input.lastRaw >= WRAP_31 ? WRAP_32 : WRAP_31;
    }
    input.lastRaw = raw;
    return input.epoch + raw;
  }

  private waitingTakeover(): Input | null {
    for (const input of this.inputs.values()) if (input.state === 'waiting') return input;
    return null;
  }

  private fromOnAir(input: Input, timed: Timed): void {
    const takeover = this.waitingTakeover();
    const holdFrom = takeover?.cutAt;
    const holding = holdFrom !== null && holdFrom !== undefined && timed.time >= holdFrom - HOLD_MARGIN_MS;
    if (holding || this.held.length > 0) {
      this.held.push({ input, timed }); // everything after the first held tag waits too: order
      if (this.heldMs() > MAX_HOLD_MS) this.abandon(takeover!.id);
      return;
    }
    this.send(input, timed);
  }

  private fromWaiting(input: Input, timed: Timed): void {
    if (input.keyframeTime === null) {
      if (!timed.tag.keyframe) {
        input.tagsDropped++; // nothing a decoder could start from yet
        return;
      }
      input.keyframeTime = timed.time;
    }
    input.pending.push(timed);
  }

  /** Puts the first waiting input with a keyframe on air when the run on air allows it. */
  private trySwitch(): void {
    const next = this.waitingTakeover();
    if (!next || next.keyframeTime === null) return;
    const cut = next.keyframeTime;
    const current = this.onAir;
    if (current) {
      // The old run must have sent everything before the cut, on both tracks.
      const videoPast = current.lastVideo !== null && current.lastVideo >= cut;
      const audioPast = !current.sawAudio || (current.lastAudio !== null && current.lastAudio >= cut);
      if (!videoPast || !audioPast) return;
      this.releaseHeld(cut);
      current.state = 'retired';
      this.inputs.delete(current.id);
      this.plannedSwitches++;
      this.takeOver(next, cut, true);
    } else {
      this.releaseHeld(cut);
      const recovery = this.lastOut !== null;
      if (recovery) this.recoverySwitches++;
      this.takeOver(next, cut, recovery ? false : null);
    }
  }

  /** `planned`: null for the program's first input (not a switch). */
  private takeOver(input: Input, cut: number, planned: boolean | null): void {
    // Rebase when the keyframe would land behind what is out (a run that did not keep the
    // program clock); otherwise keep the program clock as it is.
    input.offset = this.lastOut !== null && cut + input.offset <= this.lastOut ? this.lastOut + 1 - cut : 0;
    const at = cut + input.offset;
    if (planned !== null) {
      this.lastSwitchStep = this.lastVideoOut === null ? null : at - this.lastVideoOut;
      this.switches.push({ atMs: at, stepMs: this.lastSwitchStep, planned });
      if (this.switches.length > 20) this.switches.shift();
    }
    input.state = 'on-air';
    this.onAir = input;
    if (input.metadata) this.emit({ kind: 'metadata', tag: input.metadata.tag, time: at });
    if (input.avc) this.sendSequenceHeader(input.avc, at);
    if (input.aac) this.sendSequenceHeader(input.aac, at);
    const pending = input.pending;
    input.pending = [];
    for (const timed of pending) this.send(input, timed);
  }

  /** Sends the held tags before `before` (program ms), drops the rest. */
  private releaseHeld(before: number): void {
    const held = this.held;
    this.held = [];
    for (const { input, timed } of held) {
      if (timed.time < before) this.send(input, timed);
      else input.tagsDropped++;
    }
  }

  private sendSequenceHeader(tag: FlvTag, at: number): void {
    const isAvc = tag.kind === 'avc-sequence-header';
    const current = isAvc ? this.currentAvc : this.currentAac;
    if (current && current.equals(tag.data)) return;
    if (isAvc) this.currentAvc = Buffer.from(tag.data);
    else this.currentAac = Buffer.from(tag.data);
    this.sendTimed(tag, Math.max(at, this.lastOut ?? at));
  }

  private send(input: Input, timed: Timed): void {
    const time = timed.time + input.offset;
    if (this.lastOut !== null && time < this.lastOut) {
      input.tagsDropped++; // decode timestamps never go back
      return;
    }
    input.tagsOut++;
    this.sendTimed(timed.tag, time);
  }

  private sendTimed(tag: FlvTag, time: number): void {
    this.firstOut ??= time;
    this.lastOut = Math.max(this.lastOut ?? time, time);
    if (isVideo(tag.kind)) this.lastVideoOut = time;
    this.emit({ kind: 'tag', tag: restamp(tag, time), time });
  }
}

function isVideo(kind: FlvTagKind): boolean {
  return kind === 'video';
}

/** The tag with its output timestamp (mod 2^32, as FLV holds it); the same object when unchanged. */
function restamp(tag: FlvTag, time: number): FlvTag {
  const wire = ((time % WRAP_32) + WRAP_32) % WRAP_32;
  if (tag.timestamp === wire) return tag;
  const raw = encodeTag({ tagType: tag.tagType, timestamp: wire, data: tag.data, streamId: tag.streamId });
  return { ...tag, timestamp: wire, raw, data: raw.subarray(11, 11 + tag.data.length) };
}
