import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderReport } from './render-report.js';
import type { ReportInput } from './types.js';

/** Writes the report as `index.html` in `dir` (created if needed) and returns the file's absolute path. */
export async function writeReport(dir: string, input: ReportInput): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = resolve(join(dir, 'index.html'));
  await writeFile(path, renderReport(input), 'utf8');
  return path;
}
