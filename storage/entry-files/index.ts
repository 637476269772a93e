export {
  EntryFiles,
  inlineBytesMaxDefault,
  segmentBytesMaxDefault,
  type EntryFilesOptions,
} from './entry-files.js';
export { FsSegmentFiles } from './fs-segment-files.js';
export { MemorySegmentFiles } from './memory-segment-files.js';
export type { Placement } from './placement.js';
export type { SegmentFiles } from './segment-files.js';
