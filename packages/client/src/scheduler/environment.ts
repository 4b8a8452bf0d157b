/**
 * What the scheduler learns from the runtime it runs in: the clock, timers and randomness,
 * and the conditions that decide whether a run may start (network, metered network,
 * battery) or that wake it up (visibility). Injected, so that tests drive it with the
 * simulated environment of `@ferry/testing`, and so that each runtime (browser, Node)
 * supplies what it can observe while the core reads no globals.
 */
import type { Unsubscribe } from '../emitter.ts';
import { TRIGGERS, type Trigger } from './triggers.ts';

export interface Conditions {
  /** False only when the runtime knows it has no network. */
  online: boolean;
  /** True on a metered network (mobile data); undefined when the runtime cannot tell. */
  metered?: boolean | undefined;
  /** True when the battery is low and not charging; undefined when the runtime cannot tell. */
  lowBattery?: boolean | undefined;
  /** False while the app is in the background; undefined when the runtime cannot tell. */
  visible?: boolean | undefined;
}

/** Which conditions the runtime can observe and report changes of. */
export interface EnvironmentSignals {
  network: boolean;
  visibility: boolean;
  metered: boolean;
  battery: boolean;
}

export interface SyncEnvironment {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout: (callback: () => void, delayMs: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** A number in [0, 1), for backoff jitter. */
  random(): number;
  conditions(): Conditions;
  /** Calls `listener` after the conditions changed; returns a function that stops it. */
  watch(listener: () => void): Unsubscribe;
  readonly signals: EnvironmentSignals;
}

/** Why no run can start now, shown in the status while waiting. */
export type WaitingFor = 'network' | 'unmetered-network' | 'battery';

export interface ConstraintOptions {
  requireUnmetered: boolean;
  requireBatteryNotLow: boolean;
}

/**
 * The first constraint the conditions do not meet, or null. A condition the runtime
 * cannot tell (undefined) never blocks: "unmetered only" on a runtime that cannot see the
 * network type would otherwise never sync at all.
 */
export function unmetConstraint(
  conditions: Conditions,
  options: ConstraintOptions,
): WaitingFor | null {
  if (!conditions.online) return 'network';
  if (options.requireUnmetered && conditions.metered === true) return 'unmetered-network';
  if (options.requireBatteryNotLow && conditions.lowBattery === true) return 'battery';
  return null;
}

const NO_SIGNALS: EnvironmentSignals = Object.freeze({
  network: false,
  visibility: false,
  metered: false,
  battery: false,
});

/**
 * An environment that can observe nothing: always online as far as it knows, never
 * hidden. Runs still fail and back off when the network is really down.
 */
export function createBasicEnvironment(parts: {
  now: () => number;
  setTimeout: (callback: () => void, delayMs: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
}): SyncEnvironment {
  return {
    now: parts.now,
    setTimeout: parts.setTimeout,
    clearTimeout: parts.clearTimeout,
    random: parts.random,
    conditions: () => ({ online: true }),
    watch: () => () => {},
    signals: NO_SIGNALS,
  };
}

export interface SchedulerCapabilities {
  /** The triggers this runtime can deliver. */
  triggers: Record<Trigger, boolean>;
  /** The run conditions this runtime can observe. */
  constraints: { network: boolean; unmetered: boolean; battery: boolean };
}

/** What a runtime with these signals supports; `pokes` says whether a live stream can run. */
export function capabilitiesOf(signals: EnvironmentSignals, pokes: boolean): SchedulerCapabilities {
  const observed: Partial<Record<Trigger, boolean>> = {
    online: signals.network,
    visible: signals.visibility,
    poke: pokes,
  };
  return {
    triggers: Object.fromEntries(TRIGGERS.map((t) => [t, observed[t] ?? true])) as Record<
      Trigger,
      boolean
    >,
    constraints: {
      network: signals.network,
      unmetered: signals.metered,
      battery: signals.battery,
    },
  };
}
