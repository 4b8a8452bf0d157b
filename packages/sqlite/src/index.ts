export type {
  AsyncSqliteExecutor,
  AsyncSqlStatements,
  SqliteExecutor,
  SqlRow,
  SqlValue,
  SyncSqliteExecutor,
  SyncSqlStatements,
} from './executor.ts';
export { openAsyncSqliteStore, openSyncSqliteStore, type SqliteStoreSettings } from './store.ts';
