/**
 * The Node (and Electron main process) runtime for the scheduler: Node's clock and timers,
 * and connectivity from `createConnectivityWatch`. Node cannot see visibility, metered
 * networks or the battery, so those triggers and constraints are reported as unsupported.
 */
import type { SyncEnvironment } from '@ferry/client';
import { type ConnectivityWatchOptions, createConnectivityWatch } from './connectivity.ts';

export interface NodeEnvironmentOptions {
  connectivity?: ConnectivityWatchOptions;
}

export function createNodeEnvironment(options: NodeEnvironmentOptions = {}): SyncEnvironment {
  const connectivity = createConnectivityWatch(options.connectivity);
  return {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    random: () => Math.random(),
    conditions: () => ({ online: connectivity.online() }),
    watch: (listener) => connectivity.subscribe(() => listener()),
    signals: { network: true, visibility: false, metered: false, battery: false },
  };
}
