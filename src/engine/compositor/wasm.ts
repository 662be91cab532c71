// The WASM SIMD kernels (wat.ts) behind the Kernels interface. The compiled runtime loads the
// binary the build wrote beside this file (KERNELS_WASM_FILE); the TypeScript sources (tsx:
// development, tests) compile the WAT with wabt instead, so they always run the current text.
//
// Memory: one WebAssembly.Memory of a fixed capacity chosen at creation (default 96 MiB: three
// 3840×2160 frames are 37 MiB, leaving room for overlays and copy staging). It never grows, so
// the Uint8Array views handed out by allocFrame / allocYuva / alloc stay valid for the life of
// the kernels (growing a WebAssembly.Memory would detach every view). Pages that are never
// written cost address space, not RAM. An allocation that does not fit throws.
//
// Zero copy: a buffer from alloc* is passed to the kernels as a pointer, with no copying.
// Any other Uint8Array (a Node Buffer, a plain array) is copied into a staging area inside the
// WASM memory before the call, and the output copied back after: about one memcpy of each
// buffer per call (~0.1–0.3 ms per 1080p frame buffer), which can cost more than the blend
// itself. Keep frames that are composited every tick in alloc* buffers (a source can assemble
// its incoming frame from the pipe straight into one).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Kernels } from './kernels.ts';
import { fadeThroughBlackStep } from './kernels.ts';
import {
  BLACK_C,
  BLACK_Y,
  checkFrameBuffer,
  checkSameLength,
  checkWeight,
  clipOverlay,
  frameSize,
  yuvaLayout,
  yuvaSize,
} from './layout.ts';
import { wasmApi, type WasmCompiledModule, type WasmInstance } from './wasm-api.ts';

const PAGE = 65536;
const ALIGN = 64;
export const DEFAULT_CAPACITY_BYTES = 96 * 1024 * 1024;
/** The kernel binary's name beside the compiled compositor (scripts/build.ts writes it). */
export const KERNELS_WASM_FILE = 'compositor-kernels.wasm';

export interface WasmKernelsOptions {
  /** Bytes of WebAssembly memory to reserve for frames, overlays and staging (fixed). */
  capacityBytes?: number;
  /** Read the kernel binary from this file instead of the default (tests of a built binary). */
  wasmFile?: string;
}

/** Kernels plus the introspection the WASM implementation offers. */
export interface WasmKernels extends Kernels {
  readonly name: 'wasm-simd';
  /** Total reserved bytes and bytes currently allocated (including staging). */
  readonly capacityBytes: number;
  allocatedBytes(): number;
  /** True if the buffer lives in this module's memory (passed without copying). */
  owns(buf: Uint8Array): boolean;
}

interface KernelExports {
  crossfade(out: number, a: number, b: number, n: number, w: number): void;
  lerpconst(out: number, src: number, n: number, w: number, k: number): void;
  blend(
    dst: number,
    ds: number,
    src: number,
    alpha: number,
    ss: number,
    w: number,
    h: number,
    op: number,
  ): void;
  fill(ptr: number, value: number, n: number): void;
  copy(dst: number, src: number, n: number): void;
}

/** Compiled modules by where their bytes came from: each is compiled once per process. */
const modules = new Map<string, Promise<WasmCompiledModule>>();

/** Running from the TypeScript sources (tsx) rather than the build's JavaScript. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The built binary beside this file: dist/engine/compositor/compositor-kernels.wasm. */
function builtKernelsFile(): string {
  return fileURLToPath(new URL(`./${KERNELS_WASM_FILE}`, import.meta.url));
}

async function readKernelsFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const missing = `the compositor's kernel binary ${path} is missing: build the appliance (npm run build)`;
    throw new Error(missing, { cause: err });
  }
}

/** Compiles the kernel module once per source (throws if the engine lacks WASM SIMD). */
function compileModule(wasmFile?: string): Promise<WasmCompiledModule> {
  const file = wasmFile ?? (FROM_SOURCES ? null : builtKernelsFile());
  const key = file ?? 'wat';
  let compiled = modules.get(key);
  if (compiled === undefined) {
    compiled = (async () => {
      const bytes =
        file === null
          ? await (await import('./wat-compile.ts')).compileKernelsWat()
          : await readKernelsFile(file);
      return wasmApi().compile(bytes);
    })();
    compiled.catch(() => modules.delete(key));
    modules.set(key, compiled);
  }
  return compiled;
}

function getExports(instance: WasmInstance): KernelExports {
  const e = instance.exports;
  const names = ['crossfade', 'lerpconst', 'blend', 'fill', 'copy'] as const;
  for (const n of names) {
    if (typeof e[n] !== 'function') throw new Error(`compositor WASM module lacks export ${n}`);
  }
  return e as unknown as KernelExports;
}

/** First-fit allocator over [ALIGN, capacity) of the memory, blocks aligned to ALIGN bytes. */
class Allocator {
  private free: { off: number; size: number }[];
  private readonly live = new Map<number, number>();
  private used = 0;

  constructor(capacity: number) {
    this.free = [{ off: ALIGN, size: capacity - ALIGN }];
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const blk = this.free[i]!;
      if (blk.size < size) continue;
      const off = blk.off;
      if (blk.size === size) this.free.splice(i, 1);
      else this.free[i] = { off: off + size, size: blk.size - size };
      this.live.set(off, size);
      this.used += size;
      return off;
    }
    return -1;
  }

  release(off: number): boolean {
    const size = this.live.get(off);
    if (size === undefined) return false;
    this.live.delete(off);
    this.used -= size;
    let i = 0;
    while (i < this.free.length && this.free[i]!.off < off) i++;
    this.free.splice(i, 0, { off, size });
    // Coalesce with the next and the previous block.
    const next = this.free[i + 1];
    if (next && off + size === next.off) {
      this.free[i] = { off, size: size + next.size };
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    const cur = this.free[i]!;
    if (prev && prev.off + prev.size === cur.off) {
      this.free[i - 1] = { off: prev.off, size: prev.size + cur.size };
      this.free.splice(i, 1);
    }
    return true;
  }

  isLive(off: number): boolean {
    return this.live.has(off);
  }

  usedBytes(): number {
    return this.used;
  }
}

/**
 * Compiles (once per process and binary) and instantiates the WASM SIMD kernels. Rejects if this engine has
 * no WebAssembly SIMD; pickKernels() then falls back to the reference.
 */
export async function createWasmKernels(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
  const requested = options.capacityBytes ?? DEFAULT_CAPACITY_BYTES;
  if (!Number.isFinite(requested) || requested <= 0 || requested > 4 * 1024 * 1024 * 1024 - PAGE) {
    throw new RangeError(`capacityBytes ${requested} must be positive and below 4 GiB`);
  }
  const pages = Math.ceil(requested / PAGE);
  const module = await compileModule(options.wasmFile);
  const memory = new (wasmApi().Memory)({ initial: pages, maximum: pages });
  const instance = await wasmApi().instantiate(module, { env: { memory } });
  const wasm = getExports(instance);
  const heapBuffer = memory.buffer;
  const heap = new Uint8Array(heapBuffer);
  const capacity = pages * PAGE;
  const allocator = new Allocator(capacity);

  function allocView(bytes: number): Uint8Array {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: ${bytes} is not a byte count`);
    const off = allocator.alloc(bytes);
    if (off < 0) {
      throw new RangeError(
        `compositor WASM memory full: ${bytes} bytes requested, ${allocator.usedBytes()} of ${capacity} in use ` +
          `(raise capacityBytes)`,
      );
    }
    const view = new Uint8Array(heapBuffer, off, bytes);
    view.fill(0);
    return view;
  }

  function owns(buf: Uint8Array): boolean {
    return buf.buffer === heapBuffer;
  }

  // ---- staging of foreign buffers (copied in before a call, the output copied out after) ----
  const slots: { off: number; size: number }[] = [];
  let slotsUsed = 0;
  const staged: { buf: Uint8Array; off: number }[] = [];

  function stagingSlot(bytes: number): number {
    let slot = slots[slotsUsed];
    if (slot === undefined || slot.size < bytes) {
      if (slot !== undefined) allocator.release(slot.off);
      const off = allocator.alloc(bytes);
      if (off < 0) {
        if (slot !== undefined) slots.splice(slotsUsed, 1);
        throw new RangeError(
          `compositor WASM memory full while staging a ${bytes}-byte buffer (use alloc* buffers or raise capacityBytes)`,
        );
      }
      slot = { off, size: bytes };
      slots[slotsUsed] = slot;
    }
    slotsUsed++;
    return slot.off;
  }

  /** The pointer of buf; a foreign buffer is staged (and copied in when `input`). */
  function ptr(buf: Uint8Array, input: boolean): number {
    if (buf.buffer === heapBuffer) return buf.byteOffset;
    for (const s of staged) if (s.buf === buf) return s.off;
    const off = stagingSlot(buf.length);
    if (input) heap.set(buf, off);
    staged.push({ buf, off });
    return off;
  }

  /** Copies staged outputs back and resets the staging for the next call. */
  function finish(...outputs: Uint8Array[]): void {
    for (const out of outputs) {
      if (out.buffer === heapBuffer) continue;
      const s = staged.find((e) => e.buf === out);
      if (s) out.set(heap.subarray(s.off, s.off + out.length));
    }
    staged.length = 0;
    slotsUsed = 0;
  }

  /** After a failed call: forget the staged buffers and give the staging space back to the pool. */
  function abort(): void {
    staged.length = 0;
    slotsUsed = 0;
    for (const slot of slots) allocator.release(slot.off);
    slots.length = 0;
  }

  function fadeToBlack(out: Uint8Array, src: Uint8Array, weight: number): void {
    checkSameLength('fadeToBlack', out, src);
    checkFrameBuffer(out, 'fadeToBlack');
    checkWeight(weight);
    try {
      const s = ptr(src, true);
      const o = ptr(out, false);
      const ySize = (out.length / 3) * 2;
      wasm.lerpconst(o, s, ySize, weight, BLACK_Y);
      wasm.lerpconst(o + ySize, s + ySize, out.length - ySize, weight, BLACK_C);
      finish(out);
    } catch (err) {
      abort();
      throw err;
    }
  }

  function checkByte(v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${what} ${v} must be a byte 0…255`);
  }

  const kernels: WasmKernels = {
    name: 'wasm-simd',
    capacityBytes: capacity,
    allocatedBytes: () => allocator.usedBytes(),
    owns,
    allocFrame: (width, height) => allocView(frameSize(width, height)),
    allocYuva: (width, height) => allocView(yuvaSize(width, height)),
    alloc: (bytes) => allocView(bytes),
    free(buf) {
      if (!owns(buf)) return;
      if (!allocator.isLive(buf.byteOffset)) {
        throw new Error('free: this buffer is not a live allocation (freed twice, or a subarray)');
      }
      allocator.release(buf.byteOffset);
    },
    crossfade(out, a, b, weight) {
      checkSameLength('crossfade', out, a, b);
      checkWeight(weight);
      try {
        const pa = ptr(a, true);
        const pb = ptr(b, true);
        const po = ptr(out, false);
        wasm.crossfade(po, pa, pb, out.length, weight);
        finish(out);
      } catch (err) {
        abort();
        throw err;
      }
    },
    fadeToBlack,
    fadeThroughBlack(out, from, to, progress) {
      const step = fadeThroughBlackStep(progress);
      fadeToBlack(out, step.useTo ? to : from, step.weight);
    },
    blendOverlay(frame, frameW, frameH, overlay, ow, oh, x, y, opacity) {
      const c = clipOverlay(frame, frameW, frameH, overlay, ow, oh, x, y, opacity);
      if (c === null) return;
      const lay = yuvaLayout(ow, oh);
      try {
        const po = ptr(overlay, true);
        const pf = ptr(frame, true);
        const fl = frameW * frameH;
        const fcw = frameW / 2;
        const ocw = ow / 2;
        const so = c.oy * ow + c.ox;
        wasm.blend(pf + c.fy * frameW + c.fx, frameW, po + so, po + lay.a + so, ow, c.w, c.h, opacity);
        const fo = (c.fy / 2) * fcw + c.fx / 2;
        const co = (c.oy / 2) * ocw + c.ox / 2;
        const cw = c.w / 2;
        const ch = c.h / 2;
        wasm.blend(pf + fl + fo, fcw, po + lay.u + co, po + lay.ca + co, ocw, cw, ch, opacity);
        wasm.blend(pf + fl + fl / 4 + fo, fcw, po + lay.v + co, po + lay.ca + co, ocw, cw, ch, opacity);
        finish(frame);
      } catch (err) {
        abort();
        throw err;
      }
    },
    fill(frame, y, u, v) {
      checkFrameBuffer(frame, 'fill');
      checkByte(y, 'fill Y');
      checkByte(u, 'fill U');
      checkByte(v, 'fill V');
      if (!owns(frame)) {
        // Nothing to compute: filling the foreign buffer directly beats staging it.
        const ySize = (frame.length / 3) * 2;
        const cSize = frame.length / 6;
        frame.fill(y, 0, ySize);
        frame.fill(u, ySize, ySize + cSize);
        frame.fill(v, ySize + cSize);
        return;
      }
      const p = frame.byteOffset;
      const ySize = (frame.length / 3) * 2;
      const cSize = frame.length / 6;
      wasm.fill(p, y, ySize);
      wasm.fill(p + ySize, u, cSize);
      wasm.fill(p + ySize + cSize, v, cSize);
    },
    copy(dst, src) {
      checkSameLength('copy', dst, src);
      if (dst === src) return;
      if (owns(dst) && owns(src)) wasm.copy(dst.byteOffset, src.byteOffset, dst.length);
      else dst.set(src); // one memcpy either way; staging would add a second
    },
  };
  return kernels;
}

/** True if this engine can compile the kernels (WebAssembly SIMD available). */
export async function wasmSimdAvailable(): Promise<boolean> {
  try {
    await compileModule();
    return true;
  } catch {
    return false;
  }
}
