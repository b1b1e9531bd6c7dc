export { JsonLinesLogger, type LogLevel } from './json-lines-logger.js';
export { SystemClock } from './system-clock.js';
