import type { RawSettings } from './node-config.js';

/** Runs one node until SIGINT or SIGTERM, from flags merged with RAFTLOG_* env and a config file. */
export function runNode(flags: RawSettings): Promise<void> {
  void flags;
  return Promise.reject(new Error('the node process is not built yet'));
}
