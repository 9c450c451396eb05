export * from './types.js';
export { readDump, readObjectFile, hasObject } from './read.js';
export { publish, fieldOf, resolveTypes, setNameOf } from './publish.js';
export { mergeExtension, type Merged } from './merge.js';
