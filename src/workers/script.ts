import { workersGetDefaultYoungGeneration } from '../node-flags.js';

/**
 * The script a worker thread starts with: the entry itself when ReGate runs compiled JavaScript (the release), or
 * boot.mjs, which registers the tsx loader first, when it runs from its TypeScript sources (a worker thread does
 * not inherit the loader the main thread registered, Node 20). Every worker is started right after this call, so it
 * is also where the daemon's young-generation flag is kept to the API thread (src/node-flags.ts).
 */
export function workerScript(name: string): { script: URL; entry: string } {
  workersGetDefaultYoungGeneration();
  const here = import.meta.url;
  const fromSources = here.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, here);
  return { script: fromSources ? new URL('./boot.mjs', here) : entry, entry: entry.href };
}
