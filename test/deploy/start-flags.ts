import { startFlagsToSettings } from '../../src/cli/server-commands.js';
import { loadNodeConfig, type NodeConfig } from '../../src/server/node-config.js';

/** `start --listen=A --data=D` → the settings `raftlog start` builds from them. */
export function startSettings(args: readonly string[]): Parameters<typeof startFlagsToSettings>[0] {
  if (args[0] !== 'start') throw new Error(`the container does not run \`raftlog start\`: ${args.join(' ')}`);
  const flags: Record<string, string> = {};
  for (const arg of args.slice(1)) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (match === null) throw new Error(`write flags as --name=value in the manifest, got "${arg}"`);
    flags[match[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = match[2]!;
  }
  return flags;
}

/** The node configuration a pod's process ends up with, validated as `raftlog start` does. */
export function podNodeConfig(args: readonly string[], env: Readonly<Record<string, string>>): NodeConfig {
  return loadNodeConfig(startFlagsToSettings(startSettings(args)), env);
}
