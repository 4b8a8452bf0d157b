export {
  type ConnectivityWatch,
  type ConnectivityWatchOptions,
  createConnectivityWatch,
  DEFAULT_CONNECTIVITY_INTERVAL_MS,
  hasNetworkInterface,
} from './connectivity.ts';
export { createNodeEnvironment, type NodeEnvironmentOptions } from './environment.ts';
export { type CloseOnSignalsOptions, closeOnSignals, type SignalHandling } from './shutdown.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
