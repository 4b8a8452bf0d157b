/**
 * What can cause a sync run. Every run records the trigger(s) that caused it, in the
 * canonical order below, so a history reads the same however the triggers arrived.
 *
 * Two kinds: the scheduler raises the automatic ones itself, and only when they are listed
 * in `schedule.triggers`; the requested ones come from a `sync()` call, made by the app or
 * by the runtime adapter that woke it, and always run (see `REQUESTED_TRIGGERS`).
 */

export const TRIGGERS = [
  /** The runtime started: syncs at once if the data is stale. */
  'start',
  /** The run's conditions are met again: connectivity regained (or an unmetered network, or battery, when required). */
  'online',
  /** The periodic wake-up: the data became stale (`minIntervalMs` after the last success). */
  'interval',
  /** The app came back to the foreground. */
  'visible',
  /**
   * The operating system or the browser gave the app time to sync while it may have no
   * window: a Background Sync (`sync`) or Periodic Background Sync (`periodicsync`) event
   * in the service worker, an OS background task (WorkManager, BGTaskScheduler through
   * `expo-background-task`). Requested with `sync({ trigger: 'background' })`.
   */
  'background',
  /** The server said something changed, over the live event stream (and the client does not hold it yet). */
  'poke',
  /**
   * A push message said the server has new data: a Web Push in the service worker, an FCM
   * data message or an APNs background notification on a phone. Unlike `poke`, it may
   * wake an app that is not running, so it is requested with `sync({ trigger: 'push' })`
   * and always runs.
   */
  'push',
  /** Local writes were made (pushed at once, or after `localChangeDelayMs` of quiet when set). */
  'local-change',
  /** `client.sync()` called by the app itself: a person asked, or the app's own code did. */
  'manual',
] as const;

export type Trigger = (typeof TRIGGERS)[number];

/**
 * The triggers a `sync()` call names (`manual` unless it says otherwise). They run
 * whatever the staleness, the `triggers` option and the state (a backoff, an error), wait
 * only for the run conditions and a Retry-After, and join a run in flight as `manual` does:
 * they differ only in what the run records.
 */
export const REQUESTED_TRIGGERS = ['background', 'push', 'manual'] as const;

export type RequestedTrigger = (typeof REQUESTED_TRIGGERS)[number];

/** The triggers the scheduler raises by itself; the requested ones are always available. */
export type AutomaticTrigger = Exclude<Trigger, RequestedTrigger>;

export function isRequestedTrigger(value: unknown): value is RequestedTrigger {
  return typeof value === 'string' && (REQUESTED_TRIGGERS as readonly string[]).includes(value);
}

export const AUTOMATIC_TRIGGERS: readonly AutomaticTrigger[] = TRIGGERS.filter(
  (trigger): trigger is AutomaticTrigger => !isRequestedTrigger(trigger),
);

export function isTrigger(value: unknown): value is Trigger {
  return typeof value === 'string' && (TRIGGERS as readonly string[]).includes(value);
}

/** Distinct triggers in canonical order. */
export function sortTriggers(triggers: Iterable<Trigger>): Trigger[] {
  const present = new Set(triggers);
  return TRIGGERS.filter((trigger) => present.has(trigger));
}
