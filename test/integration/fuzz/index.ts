export { messageBytes, type FuzzVocabulary } from './message-arbitrary.js';
export { rawCall, type CallOutcome } from './raw-call.js';
