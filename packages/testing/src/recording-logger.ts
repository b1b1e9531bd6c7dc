import type { LogFields, Logger } from '@attestor/ports';

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export class RecordingLogger implements Logger {
  constructor(
    readonly records: LogRecord[] = [],
    private readonly bound: LogFields = {},
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.#record('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#record('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#record('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#record('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new RecordingLogger(this.records, { ...this.bound, ...fields });
  }

  /** Everything logged, as one string: for asserting that a secret never appears. */
  text(): string {
    return this.records
      .map(
        (record) =>
          `${record.message} ${JSON.stringify(record.fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      )
      .join('\n');
  }

  #record(level: LogRecord['level'], message: string, fields?: LogFields): void {
    this.records.push({ level, message, fields: { ...this.bound, ...fields } });
  }
}
