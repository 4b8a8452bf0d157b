/** Scheduling options, their defaults, and the checks applied once at `createClient`. */
import { FerryConfigError } from '../errors.ts';
import { AUTOMATIC_TRIGGERS, type AutomaticTrigger, isRequestedTrigger } from './triggers.ts';

export interface ScheduleOptions {
  /** The data is stale this long after the last successful run; default 5 minutes. */
  minIntervalMs?: number;
  /**
   * Quiet time after a local write before the run it triggers, at most ten such delays
   * however often writes come; default 0: a write is pushed at once when no run is in
   * flight, and with the run right after the one in flight otherwise.
   */
  localChangeDelayMs?: number;
  /** A run is aborted after this long, and the next one continues from the saved cursor; default 60 seconds. */
  maxRunDurationMs?: number;
  /** First retry delay after a failure; default 1 second. */
  backoffInitialDelayMs?: number;
  /** Longest retry delay; default 5 minutes. */
  backoffMaxDelayMs?: number;
  /** Run only on an unmetered network, when the runtime can tell; default false. */
  requireUnmetered?: boolean;
  /** Do not run on low battery, when the runtime can tell; default false. */
  requireBatteryNotLow?: boolean;
  /** Runs kept in the history; default 50. */
  historySize?: number;
  /**
   * The automatic triggers to use; default all of them. The requested ones (`manual`,
   * `push`, `background`: `client.sync()` calls) always work and cannot be listed.
   */
  triggers?: readonly AutomaticTrigger[];
}

export interface ResolvedScheduleOptions {
  minIntervalMs: number;
  localChangeDelayMs: number;
  maxRunDurationMs: number;
  backoffInitialDelayMs: number;
  backoffMaxDelayMs: number;
  requireUnmetered: boolean;
  requireBatteryNotLow: boolean;
  historySize: number;
  triggers: ReadonlySet<AutomaticTrigger>;
}

export const SCHEDULE_DEFAULTS = {
  minIntervalMs: 5 * 60_000,
  localChangeDelayMs: 0,
  maxRunDurationMs: 60_000,
  backoffInitialDelayMs: 1_000,
  backoffMaxDelayMs: 5 * 60_000,
  historySize: 50,
} as const;

/** A Retry-After longer than this is read as this: a broken header must not stop syncing for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** A local-change run waits at most this many debounce delays, however often writes come. */
export const LOCAL_CHANGE_MAX_DELAYS = 10;

function duration(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  unit = 'milliseconds',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new FerryConfigError(
      `schedule.${name} must be a whole number of ${unit} of at least ${min}, got ${String(value)}.`,
    );
  }
  return value;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new FerryConfigError(`schedule.${name} must be true or false, got ${String(value)}.`);
  }
  return value;
}

function triggerSet(value: readonly AutomaticTrigger[] | undefined): Set<AutomaticTrigger> {
  if (value === undefined) return new Set(AUTOMATIC_TRIGGERS);
  if (!Array.isArray(value)) {
    throw new FerryConfigError(
      `schedule.triggers must be an array of ${AUTOMATIC_TRIGGERS.join(', ')}.`,
    );
  }
  for (const trigger of value) {
    if (!AUTOMATIC_TRIGGERS.includes(trigger)) {
      throw new FerryConfigError(
        isRequestedTrigger(trigger)
          ? `schedule.triggers: ${JSON.stringify(trigger)} is requested, not raised by the scheduler: it comes from sync({ trigger: '${trigger}' }), which always runs, so it cannot be listed here. The automatic triggers are ${AUTOMATIC_TRIGGERS.join(', ')}.`
          : `schedule.triggers: ${JSON.stringify(trigger)} is not one of ${AUTOMATIC_TRIGGERS.join(', ')} (manual, push and background runs are requested with sync() and need no trigger).`,
      );
    }
  }
  return new Set(value);
}

export function resolveScheduleOptions(options: ScheduleOptions = {}): ResolvedScheduleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new FerryConfigError('schedule must be an object of scheduling options.');
  }
  const d = SCHEDULE_DEFAULTS;
  const backoffInitialDelayMs = duration(
    'backoffInitialDelayMs',
    options.backoffInitialDelayMs,
    d.backoffInitialDelayMs,
    1,
  );
  const backoffMaxDelayMs = duration(
    'backoffMaxDelayMs',
    options.backoffMaxDelayMs,
    Math.max(d.backoffMaxDelayMs, backoffInitialDelayMs),
    1,
  );
  if (backoffMaxDelayMs < backoffInitialDelayMs) {
    throw new FerryConfigError(
      `schedule.backoffMaxDelayMs (${backoffMaxDelayMs}) must not be below backoffInitialDelayMs (${backoffInitialDelayMs}).`,
    );
  }
  const historySize = duration('historySize', options.historySize, d.historySize, 1, 'runs');
  return {
    minIntervalMs: duration('minIntervalMs', options.minIntervalMs, d.minIntervalMs, 0),
    localChangeDelayMs: duration(
      'localChangeDelayMs',
      options.localChangeDelayMs,
      d.localChangeDelayMs,
      0,
    ),
    maxRunDurationMs: duration('maxRunDurationMs', options.maxRunDurationMs, d.maxRunDurationMs, 1),
    backoffInitialDelayMs,
    backoffMaxDelayMs,
    requireUnmetered: flag('requireUnmetered', options.requireUnmetered),
    requireBatteryNotLow: flag('requireBatteryNotLow', options.requireBatteryNotLow),
    historySize,
    triggers: triggerSet(options.triggers),
  };
}
