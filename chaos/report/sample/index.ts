export { sampleReportInput } from './sample-input.js';
