/**
 * Connectivity for Node, which has no online/offline events: a check run every few seconds
 * while someone listens. The default check asks whether any network interface other than
 * loopback has an address, which is what changes when a cable is pulled, Wi-Fi drops or a
 * laptop sleeps. It says nothing of whether the server answers: a server that does not is
 * a failed run and a backoff, not "offline".
 */
import { networkInterfaces } from 'node:os';

export interface ConnectivityWatchOptions {
  /** How often to check while watched; default 5000 ms. */
  intervalMs?: number;
  /** Returns true when online; default `hasNetworkInterface`. May be a probe of your own. */
  check?: () => boolean | Promise<boolean>;
  /** Timers, injectable for tests; default Node's, not keeping the process alive. */
  timers?: {
    setTimeout(callback: () => void, delayMs: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

export interface ConnectivityWatch {
  /** While watched, the last check's answer; unwatched, a fresh one when the check is synchronous. */
  online(): boolean;
  /** Calls `listener` when the state changes; checks run only while someone listens. */
  subscribe(listener: (online: boolean) => void): () => void;
  /** Checks now and returns the result (listeners hear of a change). */
  checkNow(): Promise<boolean>;
}

export const DEFAULT_CONNECTIVITY_INTERVAL_MS = 5_000;

/** True when an interface other than loopback has an address. */
export function hasNetworkInterface(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): boolean {
  return Object.values(interfaces).some((addresses) =>
    (addresses ?? []).some((address) => !address.internal),
  );
}

const nodeTimers = {
  setTimeout(callback: () => void, delayMs: number): unknown {
    // A watch alone must not keep a program running that has nothing else to do.
    return setTimeout(callback, delayMs).unref();
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export function createConnectivityWatch(options: ConnectivityWatchOptions = {}): ConnectivityWatch {
  const intervalMs = options.intervalMs ?? DEFAULT_CONNECTIVITY_INTERVAL_MS;
  const check = options.check ?? (() => hasNetworkInterface());
  const timers = options.timers ?? nodeTimers;
  const listeners = new Set<(online: boolean) => void>();
  let online = true;
  let timer: unknown;

  const checkNow = async (): Promise<boolean> => {
    let now: boolean;
    try {
      now = await check();
    } catch {
      // A check that fails cannot tell; keep the last answer rather than guess.
      return online;
    }
    if (now !== online) {
      online = now;
      for (const listener of [...listeners]) listener(online);
    }
    return online;
  };

  const schedule = () => {
    timer = timers.setTimeout(async () => {
      await checkNow();
      if (listeners.size > 0) schedule();
    }, intervalMs);
  };

  return {
    online() {
      // Unwatched, nothing keeps the answer fresh: ask now if the check can answer at once.
      if (listeners.size === 0) {
        try {
          const now = check();
          if (typeof now === 'boolean') online = now;
        } catch {
          // Cannot tell: keep the last answer.
        }
      }
      return online;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        void checkNow();
        schedule();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) timers.clearTimeout(timer);
      };
    },
    checkNow,
  };
}
