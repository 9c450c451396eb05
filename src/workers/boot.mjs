// Worker bootstrap when ReGate runs from its TypeScript sources (regate via bin/regate.mjs, tests): a worker thread
// does not inherit the tsx loader the main thread registered (Node 20), so it registers it and loads the entry.
// The release runs compiled JavaScript and starts the entry directly (src/workers/index.ts).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
