export {
  type ExpoSqliteDatabase,
  type ExpoSqliteStatements,
  type ExpoSqliteStoreOptions,
  openExpoSqliteStore,
} from './expo-sqlite.ts';
export {
  type OpSqliteDatabase,
  type OpSqliteStatements,
  type OpSqliteStoreOptions,
  openOpSqliteStore,
} from './op-sqlite.ts';
