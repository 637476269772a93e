import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeAllocatorEnv } from '../../src/local/index.js';
import { parseDockerfile, resolveBase, type Stage } from './dockerfile.js';
import { repoRoot } from './rendered-manifests.js';

// hadolint cannot be installed here: these are the properties the issue asks of the image.
const file = parseDockerfile(readFileSync(join(repoRoot, 'deploy/docker/Dockerfile'), 'utf8'));
const final = file.stages.at(-1)!;
const stage = (name: string): Stage | undefined => file.stages.find((s) => s.name === name);
const all = (s: Stage, keyword: string): string[] =>
  s.instructions.filter((i) => i.keyword === keyword).map((i) => i.rest);

describe('deploy/docker/Dockerfile', () => {
  it('runs the node with the allocator settings that keep its memory flat', () => {
    const env = Object.fromEntries(
      all(final, 'ENV')
        .flatMap((rest) => rest.split(/\s+/))
        .map((pair) => pair.split('=') as [string, string]),
    );
    expect(env).toMatchObject(nodeAllocatorEnv);
  });

  it('is multi-stage on a Node 20 base pinned to an exact version', () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    for (const s of file.stages) {
      expect(resolveBase(file, s.base)).toMatch(/^node:20\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('compiles in an earlier stage and keeps only dist/ from it', () => {
    expect(all(final, 'RUN').join(' ')).not.toMatch(/npm (run )?build|tsc/);
    const copies = all(final, 'COPY').filter((c) => c.startsWith('--from='));
    const build = file.stages.find((s) => all(s, 'RUN').some((r) => r.includes('npm run build')));
    expect(build?.name).toBeDefined();
    expect(copies.filter((c) => c.startsWith(`--from=${build!.name} `))).toEqual([
      `--from=${build!.name} /src/dist ./dist`,
    ]);
  });

  it('ships production dependencies only', () => {
    const modules = all(final, 'COPY').filter((c) => c.includes('node_modules'));
    expect(modules).toHaveLength(1);
    const from = /^--from=(\S+)/.exec(modules[0]!)?.[1];
    const deps = stage(from ?? '');
    expect(deps, 'node_modules must come from a named stage').toBeDefined();
    const installs = all(deps!, 'RUN').filter((r) => /npm (ci|install)/.test(r));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci .*--omit=dev/);
    expect(installs[0]).toContain('--ignore-scripts');
    expect(all(final, 'RUN').join(' ')).not.toMatch(/npm (ci|install)/);
  });

  it('runs as a fixed non-root user with the data directory as a volume', () => {
    const user = all(final, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(all(final, 'VOLUME')).toEqual(['["/var/lib/raftlog"]']);
    expect(all(final, 'ENV').join(' ')).toContain('RAFTLOG_DATA_DIR=/var/lib/raftlog');
  });

  it('checks health with `raftlog health` and stops on SIGTERM with node as PID 1', () => {
    const health = all(final, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(
      /CMD \["node", "\/app\/bin\/raftlog\.js", "health", "--address", "127\.0\.0\.1:9091"/,
    );
    expect(all(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
    // The exec form: a shell as PID 1 would not pass SIGTERM on to node.
    expect(all(final, 'ENTRYPOINT')).toEqual(['["node", "/app/bin/raftlog.js"]']);
    expect(all(final, 'EXPOSE')).toEqual(['9091 10091']);
  });

  it('has a .dockerignore that keeps node_modules, data and build output out of the context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignore[ignore.findIndex((l) => l.trim() === '**')]).toBe('**');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    expect(allowed).not.toContain('node_modules');
    expect(allowed).not.toContain('data');
    expect(allowed).not.toContain('dist');
    for (const copy of file.stages.flatMap((s) => all(s, 'COPY')).filter((c) => !c.startsWith('--from='))) {
      for (const source of copy.split(/\s+/).slice(0, -1)) {
        expect(
          allowed.some((a) => source === a || source.startsWith(`${a}/`)),
          source,
        ).toBe(true);
      }
    }
  });
});
