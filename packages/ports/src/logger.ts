export type LogValue = string | number | boolean | bigint | null | undefined | readonly string[];
export type LogFields = Readonly<Record<string, LogValue>>;

/**
 * A structured logger. Messages are constant strings; variable facts go in fields, so that log
 * lines can be indexed and so that a reviewer can see at a glance what leaves the process.
 * Container environment values, tokens and credentials must never be passed here.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}
