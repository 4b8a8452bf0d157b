/**
 * The logger Ferry's client and server write to. It takes pino's call shape, structured
 * fields first and the message second, so a pino logger (or anything shaped like it) can
 * be handed to either side as it is and keeps every field.
 */

/** One level's method: `log(fields, message)`, or `log(message)` when there is nothing to add. */
export interface LogFn {
  (fields: Record<string, unknown>, message: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
