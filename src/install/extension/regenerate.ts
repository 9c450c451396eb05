import { rmSync } from 'node:fs';
import { buildExtension, diffAgainst, EXTENSION_DIR, writeExtension } from './build.js';
import { namedTarget } from './targets.js';

/**
 * Rewrites onec/extension as the build for УТ 11.5.20 (`npx tsx src/install/extension/regenerate.ts`): after an edit
 * to an own object or an added attribute there, or to the builder. The build reads own objects from onec/extension
 * itself, so it is computed in full before the folder is replaced.
 */
const build = buildExtension(namedTarget('11.5.20'));
const before = diffAgainst(build, EXTENSION_DIR);
rmSync(EXTENSION_DIR, { recursive: true, force: true });
writeExtension(build, EXTENSION_DIR);
console.log(before.length ? `onec/extension rewritten:\n  ${before.join('\n  ')}` : 'onec/extension already equals the 11.5.20 build');
