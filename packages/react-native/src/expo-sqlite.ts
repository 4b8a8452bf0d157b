/**
 * The SQL store on expo-sqlite, through the parts of its asynchronous API it documents:
 * `execAsync`, `runAsync`, `getAllAsync`, `withExclusiveTransactionAsync` and `closeAsync`.
 * The database object comes from the app (`await SQLite.openDatabaseAsync('ferry.db')`), so
 * this package needs no native module to build or test; the store owns it from then on and
 * closes it on `close()`.
 *
 * Each commit is one `withExclusiveTransactionAsync`: expo-sqlite runs it on a connection of
 * its own, so nothing else runs inside it, and its first statement is a write, so it holds
 * the write lock from the start. The file is in WAL mode (a setting of the file, so every
 * connection has it); expo-sqlite builds SQLite with `synchronous` FULL by default, which
 * is what the transaction's connection uses: a commit that returned survives a power cut.
 */
import type { Store } from '@ferry/client';
import {
  type AsyncSqliteExecutor,
  type AsyncSqlStatements,
  openAsyncSqliteStore,
  type SqlRow,
  type SqlValue,
} from '@ferry/sqlite';

/** The statements of an expo-sqlite `SQLiteDatabase` (and of its exclusive transaction) used here. */
export interface ExpoSqliteStatements {
  execAsync(source: string): Promise<void>;
  runAsync(source: string, params: SqlValue[]): Promise<unknown>;
  getAllAsync<T>(source: string, params: SqlValue[]): Promise<T[]>;
}

/** The parts of expo-sqlite's `SQLiteDatabase` the store uses. */
export interface ExpoSqliteDatabase extends ExpoSqliteStatements {
  withExclusiveTransactionAsync(task: (txn: ExpoSqliteStatements) => Promise<void>): Promise<void>;
  closeAsync(): Promise<void>;
}

export interface ExpoSqliteStoreOptions {
  /** How long a statement waits for a lock another connection holds; default 5000 ms. */
  busyTimeoutMs?: number;
}

function statementsOf(db: ExpoSqliteStatements): AsyncSqlStatements {
  return {
    all: (sql, params) => db.getAllAsync<SqlRow>(sql, [...params]),
    run: async (sql, params) => {
      await db.runAsync(sql, [...params]);
    },
    exec: (sql) => db.execAsync(sql),
  };
}

/** expo-sqlite as the SQL store's asynchronous executor. */
export function expoSqliteExecutor(
  db: ExpoSqliteDatabase,
  options: ExpoSqliteStoreOptions = {},
): AsyncSqliteExecutor {
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  return {
    kind: 'async',
    ...statementsOf(db),
    async transaction(work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      await db.withExclusiveTransactionAsync(async (txn) => {
        // The transaction's connection is new: it has the default lock wait until told.
        await txn.execAsync(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
        result = await work(statementsOf(txn));
      });
      return result as Awaited<ReturnType<typeof work>>;
    },
    close: () => db.closeAsync(),
  };
}

/**
 * A durable `Store` on an expo-sqlite database (`openDatabaseAsync`), passing the store
 * acceptance suite. Give it a database of its own: the store closes it on `close()`.
 */
export function openExpoSqliteStore(
  db: ExpoSqliteDatabase,
  options: ExpoSqliteStoreOptions = {},
): Promise<Store> {
  return openAsyncSqliteStore(expoSqliteExecutor(db, options), {
    busyTimeoutMs: options.busyTimeoutMs,
    name: 'the expo-sqlite database',
    upgradeHint: '@ferry/react-native',
  });
}
