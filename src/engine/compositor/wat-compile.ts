// Compiles the kernels' WebAssembly text (wat.ts) to a binary with wabt. Development only: the
// build (`npm run build`, scripts/build.ts) writes this binary beside the compiled compositor, and
// the sources run under tsx compile it here at load time. wabt is a devDependency, so the compiled
// runtime never imports this module.
import { KERNELS_WAT } from './wat.ts';

/** The kernel module's bytes, as the build writes them to KERNELS_WASM_FILE. */
export async function compileKernelsWat(): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('compositor-kernels.wat', KERNELS_WAT, { simd: true, bulk_memory: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}
