import type { Logger } from 'pino';
import { nodeAllocatorEnv } from '../local/index.js';

interface ReportHeader {
  readonly header?: { readonly glibcVersionRuntime?: string };
}

/** The allocator settings a node started by hand lacks (empty off glibc, where they mean nothing). */
export function missingAllocatorSettings(env: NodeJS.ProcessEnv, glibc: boolean): string[] {
  if (!glibc) return [];
  return Object.keys(nodeAllocatorEnv).filter((name) => env[name] === undefined);
}

let glibcSeen: boolean | undefined;

/**
 * Whether this process's C library is glibc (the report names its version only then). Asked once per
 * process: the report walks every libuv handle.
 */
export function runsOnGlibc(): boolean {
  glibcSeen ??= (process.report.getReport() as ReportHeader).header?.glibcVersionRuntime !== undefined;
  return glibcSeen;
}

/** Says once, at start, when the node runs on glibc without the settings that keep its RSS flat. */
export function warnOnAllocatorSettings(logger: Logger, glibc: boolean): void {
  const missing = missingAllocatorSettings(process.env, glibc);
  if (missing.length === 0) return;
  const suggested = missing.map((name) => `${name}=${nodeAllocatorEnv[name] ?? ''}`).join(' ');
  logger.warn(
    { missing },
    `glibc malloc without fixed thresholds fragments and RSS grows with traffic; start the node with ${suggested} (npm start, the image and the manifests set them)`,
  );
}
