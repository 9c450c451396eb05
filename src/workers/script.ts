/**
 * The script a worker thread starts with: the entry itself when ReGate runs compiled JavaScript (the release), or
 * boot.mjs, which registers the tsx loader first, when it runs from its TypeScript sources (a worker thread does
 * not inherit the loader the main thread registered, Node 20).
 */
export function workerScript(name: string): { script: URL; entry: string } {
  const here = import.meta.url;
  const fromSources = here.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, here);
  return { script: fromSources ? new URL('./boot.mjs', here) : entry, entry: entry.href };
}
