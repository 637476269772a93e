export type { ReportInput } from './types.js';
export { renderReport, defaultLimits, type RenderLimits } from './render-report.js';
export { writeReport } from './write-report.js';
export { replayCommand } from './header-section.js';
export {
  screenshotReport,
  dumpDom,
  type BrowserOptions,
  type ScreenshotOptions,
} from './screenshot-report.js';
export { findChromium } from './find-chromium.js';
export { runChromium, type ChromiumRun } from './run-chromium.js';
