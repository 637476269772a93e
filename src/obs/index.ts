export { createLogger, silentLogger, jsonSafe, type Logger, type LoggerConfig } from './logger.js';
