// The few WebAssembly JS API members the kernels use, typed locally: the project's TypeScript
// lib (ES2023 + node types, no DOM) declares no WebAssembly namespace, and declaring a global one
// here could clash with a lib that does.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** An opaque compiled module. */
export interface WasmCompiledModule {
  readonly __compiledWasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmCompiledModule>;
  instantiate(
    module: WasmCompiledModule,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<WasmInstance>;
}

export function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error('this JavaScript engine has no WebAssembly');
  return api;
}
