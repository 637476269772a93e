import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftedCounts, craftedReportInput } from './crafted-input.js';
import { dumpDom, findChromium, screenshotReport, writeReport } from './index.js';
import { decodePng, distinctColours, isPng, pngSize, type PngImage } from './png-image.js';

const chromium = findChromium();
const skipped =
  chromium === undefined
    ? ' — SKIPPED: no Chromium on PATH and RAFTLOG_CHROMIUM unset (apt-get install chromium)'
    : '';
if (chromium === undefined) console.warn(`report-in-chromium.test.ts${skipped}`);

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/** Pixels of exactly one colour, and the share of the commonest colour. */
function colourStats(image: PngImage, rgb: readonly number[]): { exact: number; commonest: number } {
  const counts = new Map<number, number>();
  let exact = 0;
  const { pixels, channels } = image;
  for (let i = 0; i < pixels.length; i += channels) {
    const r = pixels[i] ?? 0;
    const g = pixels[i + 1] ?? 0;
    const b = pixels[i + 2] ?? 0;
    if (r === rgb[0] && g === rgb[1] && b === rgb[2]) exact++;
    const key = (r << 16) | (g << 8) | b;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const most = Math.max(...counts.values());
  return { exact, commonest: most / (image.width * image.height) };
}

describe.skipIf(chromium === undefined)(`the page renders in headless Chromium${skipped}`, () => {
  let dir = '';
  let html = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlog-report-'));
    html = await writeReport(dir, craftedReportInput());
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the DOM the renderer meant: the verdict, the plot and the tables', async () => {
    const dom = await dumpDom(html, { chromium });
    expect(dom).toContain('<div class="verdict" id="verdict">INVALID</div>');
    expect(count(dom, /<svg class="timeline"/)).toBe(1);
    expect(count(dom, /<rect class="fault[ "]/)).toBe(craftedCounts.faultRects);
    expect(count(dom, /<rect class="leader"/)).toBe(craftedCounts.leaderRects);
    expect(count(dom, /<rect class="no-leader"/)).toBe(craftedCounts.noLeaderRects);
    const ticks = [...dom.matchAll(/<path class="leader-change" d="([^"]*)"/g)].map((m) => m[1]).join('');
    expect(count(ticks, /M/)).toBe(craftedCounts.leaderChanges);
    expect(count(dom, /<rect class="unavailable"/)).toBe(craftedCounts.unavailable);
    const p50 = [...dom.matchAll(/<polyline class="latency p50" points="([^"]*)"/g)].map(
      (m) => (m[1] ?? '').split(' ').length,
    );
    expect(p50.sort((a, b) => a - b)).toEqual([10, 18]);
    expect(count(dom, /<polyline class="latency/)).toBe(craftedCounts.latencyLines);
    expect(count(dom, /<table class="anomalies"/)).toBe(1);
    expect(count(dom, /<table class="failovers"/)).toBe(1);
    // What the history carried stayed text: no element came out of it.
    expect(dom).not.toContain('<img');
    expect(dom).not.toContain('<script');
  });

  it('paints a screenshot of the requested size that is not a blank page', async () => {
    const png = join(dir, 'report.png');
    await screenshotReport(html, png, { chromium });
    const data = await readFile(png);
    expect(isPng(data)).toBe(true);
    expect(pngSize(data)).toEqual({ width: 1400, height: 2000 });
    const image = decodePng(data);
    expect(distinctColours(image)).toBeGreaterThan(100);
    // The red of an INVALID verdict is there, and no colour covers the page alone.
    const stats = colourStats(image, [0xc9, 0x2a, 0x2a]);
    expect(stats.exact).toBeGreaterThan(1000);
    expect(stats.commonest).toBeLessThan(0.9);
  });
});
