// The compositor's public surface: kernels (WASM SIMD + reference), layouts, and composite().
import type { Kernels } from './kernels.ts';
import { createReferenceKernels } from './reference.ts';
import { createWasmKernels, type WasmKernelsOptions } from './wasm.ts';

export type { Kernels, KernelsName } from './kernels.ts';
export { fadeThroughBlackStep } from './kernels.ts';
export { createReferenceKernels } from './reference.ts';
export { createWasmKernels, wasmSimdAvailable, DEFAULT_CAPACITY_BYTES } from './wasm.ts';
export type { WasmKernels, WasmKernelsOptions } from './wasm.ts';
export {
  BLACK_C,
  BLACK_Y,
  alphaWeight,
  buildChromaAlpha,
  frameSize,
  mix,
  toWeight256,
  yuvaLayout,
  yuvaSize,
} from './layout.ts';
export type { YuvaLayout } from './layout.ts';
export { blendOverlays, composite } from './compose.ts';
export type { FrameBuffer, Program, ProgramOverlay, ProgramVideo, YuvaImage } from './compose.ts';

/**
 * The WASM SIMD kernels when this engine supports WebAssembly SIMD, else the reference.
 * `onFallback` hears why WASM was not used (for the log).
 */
export async function pickKernels(
  options: WasmKernelsOptions & { onFallback?: (err: unknown) => void } = {},
): Promise<Kernels> {
  try {
    return await createWasmKernels(options);
  } catch (err) {
    options.onFallback?.(err);
    return createReferenceKernels();
  }
}
