import { readFile } from 'node:fs/promises';
import { linkOfName, type Link } from './link-proxies.js';

/** One proxy of a links file: the format of Toxiproxy's own `-config` file and `POST /populate`. */
export interface LinkProxySpec {
  readonly link: Link;
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
}

/**
 * Reads a links file: a JSON array of `{name, listen, upstream}` whose names are links (`n1-n2`:
 * node 1 dials node 2 through it). Anything else is refused, so a typo cannot leave a link uncut.
 */
export async function readLinksFile(path: string): Promise<LinkProxySpec[]> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of proxies`);
  return parsed.map((entry: unknown, i) => linkProxySpec(entry, `${path}[${i}]`));
}

function linkProxySpec(entry: unknown, where: string): LinkProxySpec {
  const fields = (entry ?? {}) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = fields[key];
    if (typeof value !== 'string' || value === '') throw new Error(`${where}: "${key}" must be a string`);
    return value;
  };
  const name = text('name');
  const link = linkOfName(name);
  if (link === undefined) throw new Error(`${where}: "${name}" names no link (expected nI-nJ or client-nJ)`);
  return { link, name, listen: text('listen'), upstream: text('upstream') };
}
