export {
  type BackgroundRegistrationOptions,
  registerBackgroundSync,
} from './background-registration.ts';
export { syncInBackground } from './background-run.ts';
export {
  type BrowserCapabilities,
  type BrowserEnvironmentOptions,
  browserCapabilities,
  createBrowserEnvironment,
} from './environment.ts';
export {
  FerryDatabaseClosedError,
  FerryLeadershipLostError,
  FerryLeaderUnavailableError,
  FerryStorageFullError,
  FerryStoreBlockedError,
  FerryStoreVersionError,
} from './errors.ts';
export { type FerryHost, hostFerry } from './host.ts';
export {
  deleteIndexedDbStore,
  type IndexedDbStore,
  type IndexedDbStoreOptions,
  openIndexedDbStore,
} from './indexeddb-store.ts';
export { DEFAULT_LEADER_TIMEOUT_MS, type HostOptions } from './leader-session.ts';
export { type OpenFerryOptions, openFerry } from './open.ts';
export {
  type BrowserFerryClient,
  type ConnectOptions,
  connectFerry,
  DEFAULT_BACKGROUND_SYNC_TAG,
} from './remote-client.ts';
export {
  type BackgroundSyncOptions,
  type BackgroundSyncSummary,
  handleBackgroundSync,
  PERIODIC_SYNC_TAG,
  PUSH_SYNCED_MESSAGE,
  type ServiceWorkerScopeLike,
} from './service-worker.ts';
