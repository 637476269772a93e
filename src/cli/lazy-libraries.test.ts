import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Libraries only some commands need: a node (`raftlog start`) loads the CLI's modules and none of these. */
const commandOnly = [
  'nats',
  'amqplib',
  '@peculiar/x509',
  'reflect-metadata',
  'hdr-histogram-js',
  'cli-progress',
];

describe('the CLI', () => {
  it('loads the libraries of the bench and certificate commands only when one of them runs', () => {
    const script = [
      "const { createRequire } = await import('node:module');",
      "await import('./src/cli/program.ts');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      'console.log(JSON.stringify(loaded));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const loaded = (JSON.parse(out) as string[]).map((path) => path.split('node_modules/').at(-1) ?? '');
    expect(loaded.length).toBeGreaterThan(0);
    for (const name of commandOnly) expect(loaded.filter((p) => p.startsWith(`${name}/`))).toEqual([]);
  });
});
