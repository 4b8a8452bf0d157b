export {
  type AppStateLike,
  createReactNativeEnvironment,
  type ExpoBatteryLike,
  type ReactNativeEnvironment,
  type ReactNativeEnvironmentOptions,
} from './environment.ts';
export {
  type ExpoSqliteDatabase,
  type ExpoSqliteStatements,
  type ExpoSqliteStoreOptions,
  openExpoSqliteStore,
} from './expo-sqlite.ts';
export type {
  ExpoNetworkLike,
  ExpoNetworkStateLike,
  NetInfoLike,
  NetInfoStateLike,
} from './network.ts';
export {
  type OpSqliteDatabase,
  type OpSqliteStatements,
  type OpSqliteStoreOptions,
  openOpSqliteStore,
} from './op-sqlite.ts';
