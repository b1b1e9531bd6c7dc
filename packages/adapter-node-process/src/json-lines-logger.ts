import type { Clock, LogFields, Logger, LogValue } from '@attestor/ports';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The least severe level written; shared by a logger and its children, so one change reaches all. */
interface Threshold {
  level: LogLevel;
}

/**
 * Writes one JSON object per line: `{"time":"...","level":"info","msg":"...", ...fields}`.
 * Field names `time`, `level` and `msg` are reserved; a field with one of those names is
 * written under `field.<name>` so that it cannot forge them. bigint values are written as
 * decimal strings, undefined fields are left out.
 */
export class JsonLinesLogger implements Logger {
  readonly #threshold: Threshold;

  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: Clock,
    level: LogLevel | Threshold = 'info',
    private readonly bound: LogFields = {},
  ) {
    this.#threshold = typeof level === 'string' ? { level } : level;
  }

  /** Changes the level of this logger and of every logger derived from it (`child`). */
  setLevel(level: LogLevel): void {
    this.#threshold.level = level;
  }

  debug(message: string, fields?: LogFields): void {
    this.#log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#log('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLinesLogger(this.write, this.clock, this.#threshold, {
      ...this.bound,
      ...fields,
    });
  }

  #log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (RANK[level] < RANK[this.#threshold.level]) return;
    const record: Record<string, Exclude<LogValue, bigint | undefined>> = {
      time: new Date(this.clock.now()).toISOString(),
      level,
      msg: message,
    };
    for (const [name, value] of Object.entries({ ...this.bound, ...fields })) {
      if (value === undefined) continue;
      const key = name === 'time' || name === 'level' || name === 'msg' ? `field.${name}` : name;
      record[key] = typeof value === 'bigint' ? value.toString() : value;
    }
    this.write(`${JSON.stringify(record)}\n`);
  }
}
