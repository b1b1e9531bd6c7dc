export { SystemClock } from './system-clock.js';
export { JsonLinesLogger, type LogLevel } from './json-lines-logger.js';
