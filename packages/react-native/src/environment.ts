/**
 * The phone runtime for the scheduler, for React Native and Expo apps. Everything it
 * observes comes in as the app's own modules, typed by the parts of their documented APIs
 * used here, so this package has no native dependency:
 *
 * - foreground: React Native's `AppState`. The app is visible while `currentState` is
 *   `active` (or not known yet); coming back to `active` raises the `visible` trigger, and
 *   the client's creation at launch raises `start`;
 * - network and metered network: `@react-native-community/netinfo` or `expo-network` (see
 *   network.ts);
 * - battery: Low Power Mode (iOS) or Battery Saver (Android), from `expo-battery`, when
 *   given: `requireBatteryNotLow` then waits while it is on.
 *
 * Until the first answer of a library arrives, what it reports is unknown: online, and
 * metered and battery undefined with their signals false; watchers are told when it comes.
 * The environment listens from its creation, so its conditions are always current; create
 * one per app (the background task and push wake-ups can share it) and `dispose()` it if it
 * is ever dropped.
 */
import type { Conditions, EnvironmentSignals, SyncEnvironment } from '@ferry/client';
import {
  type ExpoNetworkLike,
  expoNetworkSource,
  type NetInfoLike,
  type NetworkReading,
  netInfoSource,
} from './network.ts';

/** The parts of React Native's `AppState` used here. */
export interface AppStateLike {
  /** 'active', 'background', 'inactive' (iOS), 'unknown'… */
  readonly currentState: string | null;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/** The parts of `expo-battery` used here (`import * as Battery from 'expo-battery'`). */
export interface ExpoBatteryLike {
  isLowPowerModeEnabledAsync(): Promise<boolean>;
  addLowPowerModeListener(listener: (event: { lowPowerMode: boolean }) => void): {
    remove(): void;
  };
}

export interface ReactNativeEnvironmentOptions {
  /** React Native's `AppState`. */
  appState: AppStateLike;
  /** `@react-native-community/netinfo`'s default export; or `expoNetwork`, not both. */
  netInfo?: NetInfoLike;
  /** `expo-network` (`import * as Network from 'expo-network'`); or `netInfo`, not both. */
  expoNetwork?: ExpoNetworkLike;
  /** `expo-battery` (`import * as Battery from 'expo-battery'`), for Low Power Mode. */
  battery?: ExpoBatteryLike;
}

export interface ReactNativeEnvironment extends SyncEnvironment {
  /** Stops listening to the app state, the network and the battery. */
  dispose(): void;
}

/** Whether an `AppState` value is the foreground; an unknown state counts as the foreground. */
export function isForeground(state: string | null): boolean {
  return state === null || state === 'active' || state === 'unknown';
}

export function createReactNativeEnvironment(
  options: ReactNativeEnvironmentOptions,
): ReactNativeEnvironment {
  if (options.netInfo !== undefined && options.expoNetwork !== undefined) {
    throw new Error(
      'createReactNativeEnvironment: pass netInfo or expoNetwork, not both; they report the same network.',
    );
  }
  const network = options.netInfo
    ? netInfoSource(options.netInfo)
    : options.expoNetwork
      ? expoNetworkSource(options.expoNetwork)
      : null;
  const { appState, battery } = options;

  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  let reading: NetworkReading | null = null;
  let lowPower: boolean | null = null;
  let visible = isForeground(appState.currentState);
  // A listener's answer is newer than the first read's, whichever arrives first.
  let networkHeard = false;
  let batteryHeard = false;

  const setReading = (next: NetworkReading) => {
    const changed = reading?.online !== next.online || reading?.metered !== next.metered;
    reading = next;
    if (changed) notify();
  };
  const setLowPower = (next: boolean) => {
    const changed = lowPower !== next;
    lowPower = next;
    if (changed) notify();
  };

  const stops: Array<() => void> = [];
  const appStateSubscription = appState.addEventListener('change', (state) => {
    const next = isForeground(state);
    if (next === visible) return;
    visible = next;
    notify();
  });
  stops.push(() => appStateSubscription.remove());
  if (network !== null) {
    stops.push(
      network.subscribe((next) => {
        networkHeard = true;
        setReading(next);
      }),
    );
    network.read().then(
      (first) => {
        if (!networkHeard) setReading(first);
      },
      () => {
        // The library could not tell: the network stays unknown until its listener speaks.
      },
    );
  }
  if (battery !== undefined) {
    const subscription = battery.addLowPowerModeListener(({ lowPowerMode }) => {
      batteryHeard = true;
      setLowPower(lowPowerMode);
    });
    stops.push(() => subscription.remove());
    battery.isLowPowerModeEnabledAsync().then(
      (first) => {
        if (!batteryHeard) setLowPower(first);
      },
      () => {
        // Not reported on this device: the battery stays unknown.
      },
    );
  }

  const signals: EnvironmentSignals = {
    network: network !== null,
    visibility: true,
    get metered() {
      return reading !== null;
    },
    get battery() {
      return lowPower !== null;
    },
  };

  const conditions = (): Conditions => ({
    online: reading?.online ?? true,
    metered: reading?.metered,
    lowBattery: lowPower ?? undefined,
    visible,
  });

  return {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
    conditions,
    watch(listener) {
      const wrapped = () => listener();
      listeners.add(wrapped);
      return () => {
        listeners.delete(wrapped);
      };
    },
    signals,
    dispose() {
      for (const stop of stops.splice(0)) stop();
      listeners.clear();
    },
  };
}
