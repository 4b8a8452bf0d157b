/**
 * Fakes of the phone modules the environment reads, each following its documented
 * contract: React Native's `AppState` (`currentState`, `addEventListener('change')`
 * returning a subscription with `remove()`), `@react-native-community/netinfo` (`fetch()`,
 * and `addEventListener(listener)` that calls the listener soon after subscribing with the
 * latest state, then on every change, and returns an unsubscribe function), `expo-network`
 * (`getNetworkStateAsync()`, `addNetworkStateListener()` called on changes) and
 * `expo-battery` (`isLowPowerModeEnabledAsync()`, `addLowPowerModeListener()` called when
 * Low Power Mode is toggled). Tests change their state and count their listeners.
 */
import type {
  AppStateLike,
  ExpoBatteryLike,
  ExpoNetworkLike,
  ExpoNetworkStateLike,
  NetInfoLike,
  NetInfoStateLike,
} from '@ferry/react-native';

/** Lets pending callbacks and promise reactions run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function fakeAppState(initial = 'active') {
  const listeners = new Set<(state: string) => void>();
  const appState: AppStateLike & { set(state: string): void; listeners(): number } = {
    currentState: initial,
    addEventListener(_type, listener) {
      listeners.add(listener);
      return { remove: () => listeners.delete(listener) };
    },
    set(state) {
      (this as { currentState: string }).currentState = state;
      for (const listener of [...listeners]) listener(state);
    },
    listeners: () => listeners.size,
  };
  return appState;
}

export const WIFI: NetInfoStateLike = {
  type: 'wifi',
  isConnected: true,
  details: { isConnectionExpensive: false },
};
export const CELLULAR: NetInfoStateLike = {
  type: 'cellular',
  isConnected: true,
  details: { isConnectionExpensive: true },
};
export const NO_NETWORK: NetInfoStateLike = { type: 'none', isConnected: false, details: null };

export function fakeNetInfo(initial: NetInfoStateLike = WIFI, options = { answers: true }) {
  let state = initial;
  const listeners = new Set<(state: NetInfoStateLike) => void>();
  const netInfo: NetInfoLike & { set(next: NetInfoStateLike): void; listeners(): number } = {
    async fetch() {
      await settle();
      if (!options.answers) return new Promise<never>(() => {});
      return state;
    },
    addEventListener(listener) {
      listeners.add(listener);
      // "called with the latest information soon after you subscribe"
      if (options.answers) setImmediate(() => listeners.has(listener) && listener(state));
      return () => {
        listeners.delete(listener);
      };
    },
    set(next) {
      state = next;
      for (const listener of [...listeners]) listener(state);
    },
    listeners: () => listeners.size,
  };
  return netInfo;
}

export function fakeExpoNetwork(
  initial: ExpoNetworkStateLike = { type: 'WIFI', isConnected: true },
) {
  let state = initial;
  const listeners = new Set<(state: ExpoNetworkStateLike) => void>();
  const network: ExpoNetworkLike & { set(next: ExpoNetworkStateLike): void; listeners(): number } =
    {
      async getNetworkStateAsync() {
        await settle();
        return state;
      },
      addNetworkStateListener(listener) {
        listeners.add(listener);
        return { remove: () => listeners.delete(listener) };
      },
      set(next) {
        state = next;
        for (const listener of [...listeners]) listener(state);
      },
      listeners: () => listeners.size,
    };
  return network;
}

export function fakeBattery(lowPowerMode = false) {
  let mode = lowPowerMode;
  const listeners = new Set<(event: { lowPowerMode: boolean }) => void>();
  const battery: ExpoBatteryLike & { set(next: boolean): void; listeners(): number } = {
    async isLowPowerModeEnabledAsync() {
      await settle();
      return mode;
    },
    addLowPowerModeListener(listener) {
      listeners.add(listener);
      return { remove: () => listeners.delete(listener) };
    },
    set(next) {
      mode = next;
      for (const listener of [...listeners]) listener({ lowPowerMode: mode });
    },
    listeners: () => listeners.size,
  };
  return battery;
}
