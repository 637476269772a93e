import { parseHostAliases, setHostAliases } from '../../rpc/index.js';

/**
 * Makes every channel of this process dial NAME at IP ("a.example=127.0.0.2,…"), as the node's
 * --host-aliases does: a client then reaches nodes that advertise names no DNS here knows.
 * Throws on a malformed entry rather than dialing the name unaliased.
 */
export function useHostAliases(value: string): void {
  const problems: string[] = [];
  const aliases = parseHostAliases(value, problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  setHostAliases(aliases);
}
