export {
  type BrowserCapabilities,
  type BrowserEnvironmentOptions,
  browserCapabilities,
  createBrowserEnvironment,
} from './environment.ts';
export {
  FerryDatabaseClosedError,
  FerryLeadershipLostError,
  FerryStorageFullError,
  FerryStoreBlockedError,
  FerryStoreVersionError,
} from './errors.ts';
export {
  deleteIndexedDbStore,
  type IndexedDbStore,
  type IndexedDbStoreOptions,
  openIndexedDbStore,
} from './indexeddb-store.ts';
