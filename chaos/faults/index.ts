export {
  flipRandomByte,
  truncateRandomFile,
  NoFileToDamageError,
  type DiskFault,
  type FlippedByte,
  type TruncatedFile,
} from './disk-faults.js';
export { listDataFiles, kindOf, type DataFile, type DataFileKind, type DiskFileClass } from './data-files.js';
export {
  recoverFromDiskFault,
  renewLeaders,
  restartAfterDiskFault,
  wipeDataDir,
  NotADataDirectoryError,
  type LeadershipControl,
  type RestartableNode,
  type RestartOutcome,
} from './recover.js';
