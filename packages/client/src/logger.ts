/**
 * The engine logs through the `Logger` shared with the server: fields first, then the
 * message, as pino takes them, so a pino logger passed as the `logger` option keeps every
 * field. The default drops everything.
 */
import type { Logger } from '@ferry/protocol';

export type { LogFn, Logger } from '@ferry/protocol';

const ignore = (): void => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The fields to log for a thrown value, whatever it is. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, errorName: error.name };
  return { error: String(error) };
}
