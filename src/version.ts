import { readFileSync } from 'node:fs';

/** ReGate's version, from package.json (reported by `state` and `--version`). */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
