export * from './types.js';
export { readHistory } from './read-history.js';
export { parseHistoryEvent } from './parse-history-event.js';
export { HistoryWriter, type HistoryWriterOptions, type UnstampedEvent } from './history-writer.js';
