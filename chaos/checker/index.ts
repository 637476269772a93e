export { check } from './check.js';
export type { CheckOptions } from './check-options.js';
export { MalformedHistoryError } from './malformed-history-error.js';
export * from './types.js';
