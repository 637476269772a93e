import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian names it chromium; other distributions and Google's builds use the rest. */
const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to render with: `RAFTLOG_CHROMIUM` when set (taken as is, so a wrong path fails loudly
 * rather than silently falling back), else the first of the usual names on PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['RAFTLOG_CHROMIUM'];
  if (chosen !== undefined && chosen !== '') return chosen;
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}
