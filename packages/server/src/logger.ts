/**
 * The server logs through the `Logger` shared with the client (pino's call shape: fields,
 * then the message), so one pino logger can serve both. The default is pino itself.
 */
import type { Logger } from '@ferry/protocol';
import pino from 'pino';

export type { LogFn, Logger } from '@ferry/protocol';

export function createDefaultLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'ferry' } });
}
