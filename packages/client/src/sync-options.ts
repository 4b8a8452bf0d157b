/** `client.sync(options)`: why the call asks for a run, checked at the call. */
import { FerryConfigError } from './errors.ts';
import {
  isRequestedTrigger,
  isTrigger,
  REQUESTED_TRIGGERS,
  type RequestedTrigger,
} from './scheduler/triggers.ts';

export interface SyncOptions {
  /**
   * Why the run is asked for, as its record in the history says: `manual` (the default)
   * when the app or a person asks, `push` when a push message said the server has new
   * data, `background` when the operating system or the browser woke the app to sync.
   * All three run the same way.
   */
  trigger?: RequestedTrigger;
}

const OPTION_NAMES: readonly string[] = ['trigger'];

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** The trigger a `sync(options)` call asks for; throws `FerryConfigError` on anything else. */
export function syncTrigger(options: unknown): RequestedTrigger {
  if (options === undefined) return 'manual';
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new FerryConfigError(
      `sync(options): options must be an object such as { trigger: 'push' }, got ${describe(options)}.`,
    );
  }
  const unknown = Object.keys(options).find((name) => !OPTION_NAMES.includes(name));
  if (unknown !== undefined) {
    throw new FerryConfigError(
      `sync(options): unknown option ${JSON.stringify(unknown)}; the one option is trigger.`,
    );
  }
  const { trigger } = options as { trigger?: unknown };
  if (trigger === undefined) return 'manual';
  if (isRequestedTrigger(trigger)) return trigger;
  const raised = isTrigger(trigger) ? ` ('${trigger}' is raised by the scheduler itself)` : '';
  throw new FerryConfigError(
    `sync({ trigger }): ${describe(trigger)} is not one of ${REQUESTED_TRIGGERS.join(', ')}${raised}.`,
  );
}
