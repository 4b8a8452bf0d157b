/**
 * The phone's environment (the app launched in the background) with its clock held still
 * and the timers of a wake-up's budget kept back: the budget is reached when
 * `reachBudget()` says so, so no test depends on how fast this machine is. Every other
 * timer, and the network, are the real React Native environment's.
 */
import type { SyncEnvironment } from '@ferry/client';
import {
  createReactNativeEnvironment,
  DEFAULT_BACKGROUND_BUDGET_MS,
  type NetInfoLike,
} from '@ferry/react-native';
import { fakeAppState, fakeNetInfo } from './fake-phone.ts';

export function heldBudget(options: { netInfo?: NetInfoLike; budgetMs?: number } = {}) {
  const budgetMs = options.budgetMs ?? DEFAULT_BACKGROUND_BUDGET_MS;
  const phone = createReactNativeEnvironment({
    appState: fakeAppState('background'),
    netInfo: options.netInfo ?? fakeNetInfo(),
  });
  const now = Date.now();
  const held = new Set<() => void>();
  let armed = 0;
  const environment: SyncEnvironment = {
    now: () => now,
    setTimeout(callback, delayMs) {
      if (delayMs !== budgetMs) return phone.setTimeout(callback, delayMs);
      armed += 1;
      held.add(callback);
      return { held: callback };
    },
    clearTimeout(handle) {
      const callback = (handle as { held?: () => void } | undefined)?.held;
      if (callback !== undefined) held.delete(callback);
      else phone.clearTimeout(handle);
    },
    random: () => phone.random(),
    conditions: () => phone.conditions(),
    watch: (listener) => phone.watch(listener),
    signals: phone.signals,
  };
  return {
    environment,
    /** How many budget timers were set: the wake-up's own and its run's. */
    armed: () => armed,
    reachBudget() {
      for (const callback of [...held]) {
        held.delete(callback);
        callback();
      }
    },
    dispose: () => phone.dispose(),
  };
}
