import { join } from 'node:path';
import { screenshotReport, writeReport } from '../index.js';
import { sampleReportInput } from './index.js';

/**
 * Regenerates the sample report and its screenshot for the README:
 * `node --import tsx chaos/report/sample/make-sample.ts [outDir]`.
 */
async function main(): Promise<void> {
  const here = import.meta.dirname;
  const out = process.argv[2] ?? join(here, 'out');
  const html = await writeReport(out, sampleReportInput());
  const png = join(here, 'screenshot.png');
  // The top of the page is what a README needs, and a taller shot of dense text passes 300 KB.
  await screenshotReport(html, png, { height: 1500 });
  process.stdout.write(`${html}\n${png}\n`);
}

await main();
