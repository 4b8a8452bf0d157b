/**
 * What can cause a sync run. Every run records the trigger(s) that caused it, in the
 * canonical order below, so a history reads the same however the triggers arrived.
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
  /** The server said something changed (and the client does not hold it yet). */
  'poke',
  /** Local writes were made (pushed at once, or after `localChangeDelayMs` of quiet when set). */
  'local-change',
  /** `client.sync()`. */
  'manual',
] as const;

export type Trigger = (typeof TRIGGERS)[number];

/** The triggers the scheduler raises by itself; `manual` is always available. */
export type AutomaticTrigger = Exclude<Trigger, 'manual'>;

export const AUTOMATIC_TRIGGERS: readonly AutomaticTrigger[] = TRIGGERS.filter(
  (trigger): trigger is AutomaticTrigger => trigger !== 'manual',
);

export function isTrigger(value: unknown): value is Trigger {
  return typeof value === 'string' && (TRIGGERS as readonly string[]).includes(value);
}

/** Distinct triggers in canonical order. */
export function sortTriggers(triggers: Iterable<Trigger>): Trigger[] {
  const present = new Set(triggers);
  return TRIGGERS.filter((trigger) => present.has(trigger));
}
