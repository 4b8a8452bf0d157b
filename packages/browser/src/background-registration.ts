/**
 * The page's half of background work: asks the browser for a one-off Background Sync (so
 * pending writes are pushed when the network returns, even with the app closed) and, in an
 * installed app with the permission, for periodic syncs. Where the browser has neither
 * (Firefox, Safari) nothing is registered and the foreground triggers (start, online,
 * visible, interval, pokes) keep the data in step while the app is open.
 */

import { DEFAULT_BACKGROUND_SYNC_TAG } from './remote-client.ts';
import { PERIODIC_SYNC_TAG } from './service-worker.ts';

export interface BackgroundRegistrationOptions {
  /** The shortest interval to ask for periodic syncs; default 12 hours (browsers decide the real one). */
  periodicMinIntervalMs?: number;
  /** Default `ferry-sync`. */
  syncTag?: string;
}

interface SyncManagerLike {
  register(tag: string, options?: { minInterval: number }): Promise<void>;
}

export async function registerBackgroundSync(
  registration: ServiceWorkerRegistration,
  options: BackgroundRegistrationOptions = {},
): Promise<{ backgroundSync: boolean; periodicSync: boolean }> {
  const withManagers = registration as ServiceWorkerRegistration & {
    sync?: SyncManagerLike;
    periodicSync?: SyncManagerLike;
  };
  const attempt = async (register: (() => Promise<void>) | undefined) => {
    if (register === undefined) return false;
    try {
      await register();
      return true;
    } catch {
      // Not granted (e.g. periodic sync outside an installed app): nothing to register.
      return false;
    }
  };
  const { sync, periodicSync } = withManagers;
  const backgroundSync = await attempt(
    sync && (() => sync.register(options.syncTag ?? DEFAULT_BACKGROUND_SYNC_TAG)),
  );
  const periodic = await attempt(
    periodicSync &&
      (() =>
        periodicSync.register(PERIODIC_SYNC_TAG, {
          minInterval: options.periodicMinIntervalMs ?? 12 * 60 * 60_000,
        })),
  );
  return { backgroundSync, periodicSync: periodic };
}
