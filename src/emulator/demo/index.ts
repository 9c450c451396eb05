export { generateDemoBase, makePostingContext, EMPTY_REF, EMPTY_DATE, BASE_DATE } from './generate.js';
export type { DemoBase, DemoOptions, DemoRefs, Row } from './generate.js';
export { demoFacts } from './facts.js';
export type { DemoFacts } from './facts.js';
export * as checksums from './checksums.js';
