export {
  type BackgroundRunOptions,
  type BackgroundSyncOutcome,
  type BackgroundSyncReport,
  type BackgroundSyncSource,
  DEFAULT_BACKGROUND_BUDGET_MS,
  runBackgroundSync,
  type WakeUpTrigger,
} from './background-run.ts';
export {
  type BackgroundSyncOptions,
  type BackgroundTaskLike,
  DEFAULT_BACKGROUND_TASK_NAME,
  MIN_BACKGROUND_INTERVAL_MS,
  registerBackgroundSync,
  type TaskManagerLike,
  unregisterBackgroundSync,
} from './background-task.ts';
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
export {
  DEFAULT_PUSH_TASK_NAME,
  isFerryPush,
  type NotificationsLike,
  type PushWakeUpOptions,
  pushData,
  registerPushWakeUps,
  unregisterPushWakeUps,
} from './push.ts';
