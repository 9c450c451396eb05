#!/usr/bin/env node
// The production entry point: the release's bin/regate runs this compiled file with plain node (no tsx, no
// TypeScript compiled at each start). bin/regate.mjs in a checkout runs the same main() through tsx.
import { main } from './main.js';

await main(process.argv);
