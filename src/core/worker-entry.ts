// What a worker thread runs for a module beside the caller: the built file as it is; from source
// (tsx), a small module that first registers tsx in the new thread, since a worker does not
// inherit the main thread's loader.
export function workerEntry(callerUrl: string, moduleName: string): URL {
  const fromSource = callerUrl.endsWith('.ts');
  const module = new URL(`./${moduleName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return module;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
