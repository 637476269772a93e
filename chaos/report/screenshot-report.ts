import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findChromium } from './find-chromium.js';
import { isPng } from './png-image.js';
import { runChromium, type ChromiumRun } from './run-chromium.js';

export interface BrowserOptions {
  /** The browser binary; found by findChromium when absent. */
  readonly chromium?: string | undefined;
  /** Generous: a first start on a busy two-core machine takes seconds. */
  readonly timeoutMs?: number;
}

export interface ScreenshotOptions extends BrowserOptions {
  readonly width?: number;
  readonly height?: number;
}

const defaultTimeoutMs = 60_000;

function browser(options: BrowserOptions): string {
  const binary = options.chromium ?? findChromium();
  if (binary === undefined) {
    throw new Error(
      'no Chromium found on PATH: install it (apt-get install chromium) or set RAFTLOG_CHROMIUM',
    );
  }
  return binary;
}

function failure(what: string, run: ChromiumRun): Error {
  const how = run.signal === null ? `exit code ${run.code}` : `signal ${run.signal}`;
  return new Error(`${what} failed (${how}):\n${run.stderr}`);
}

/** Renders an HTML file in headless Chromium and saves the top `width`×`height` pixels as a PNG. */
export async function screenshotReport(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<void> {
  const binary = browser(options);
  const png = resolve(pngPath);
  await mkdir(dirname(png), { recursive: true });
  const run = await runChromium(
    binary,
    [
      '--hide-scrollbars',
      `--window-size=${options.width ?? 1400},${options.height ?? 2000}`,
      `--screenshot=${png}`,
      pathToFileURL(resolve(htmlPath)).href,
    ],
    options.timeoutMs ?? defaultTimeoutMs,
  );
  if (run.code !== 0) throw failure(`screenshot of ${htmlPath}`, run);
  const written = await readFile(png).catch(() => undefined);
  if (written === undefined || !isPng(written))
    throw failure(`screenshot of ${htmlPath} (no PNG written)`, run);
}

/** The DOM Chromium built from an HTML file, serialized: what a browser really made of the page. */
export async function dumpDom(htmlPath: string, options: BrowserOptions = {}): Promise<string> {
  const run = await runChromium(
    browser(options),
    ['--dump-dom', pathToFileURL(resolve(htmlPath)).href],
    options.timeoutMs ?? defaultTimeoutMs,
  );
  if (run.code !== 0) throw failure(`rendering ${htmlPath}`, run);
  return run.stdout;
}
