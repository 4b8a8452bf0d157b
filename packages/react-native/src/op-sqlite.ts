/**
 * The SQL store on op-sqlite (`@op-engineering/op-sqlite`), through the parts of its API it
 * documents: `execute` (asynchronous, one or more statements), `transaction` and `close`.
 * The database object comes from the app (`open({ name: 'ferry.db' })`), so this package
 * needs no native module to build or test; the store owns it from then on and closes it on
 * `close()`.
 *
 * op-sqlite queues its transactions on the one connection, and the store runs its own
 * statements one at a time, so nothing else runs inside a commit; its first statement is a
 * write, so it holds the write lock from the start. The file is in WAL mode with
 * `synchronous` FULL, as in Node, unless told `synchronous: 'normal'`.
 */
import type { Store } from '@ferry/client';
import {
  type AsyncSqliteExecutor,
  type AsyncSqlStatements,
  openAsyncSqliteStore,
  type SqlRow,
  type SqlValue,
} from '@ferry/sqlite';

/** The statement method of an op-sqlite `DB` (and of its `Transaction`) used here. */
export interface OpSqliteStatements {
  execute(query: string, params?: SqlValue[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The parts of op-sqlite's `DB` the store uses. */
export interface OpSqliteDatabase extends OpSqliteStatements {
  transaction(fn: (tx: OpSqliteStatements) => Promise<void>): Promise<void>;
  close(): void;
}

export interface OpSqliteStoreOptions {
  /**
   * 'full' (default): a commit that returned survives a power cut. 'normal': it survives the
   * app being killed, but the last commits may be lost if the phone loses power.
   */
  synchronous?: 'full' | 'normal';
  /** How long a statement waits for a lock another connection holds; default 5000 ms. */
  busyTimeoutMs?: number;
}

function statementsOf(db: OpSqliteStatements): AsyncSqlStatements {
  return {
    all: async (sql, params) => (await db.execute(sql, [...params])).rows as SqlRow[],
    run: async (sql, params) => {
      await db.execute(sql, [...params]);
    },
    exec: async (sql) => {
      await db.execute(sql);
    },
  };
}

/** op-sqlite as the SQL store's asynchronous executor. */
export function opSqliteExecutor(db: OpSqliteDatabase): AsyncSqliteExecutor {
  return {
    kind: 'async',
    ...statementsOf(db),
    async transaction(work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      await db.transaction(async (tx) => {
        result = await work(statementsOf(tx));
      });
      return result as Awaited<ReturnType<typeof work>>;
    },
    close: async () => db.close(),
  };
}

/**
 * A durable `Store` on an op-sqlite database (`open`), passing the store acceptance suite.
 * Give it a database of its own: the store closes it on `close()`.
 */
export function openOpSqliteStore(
  db: OpSqliteDatabase,
  options: OpSqliteStoreOptions = {},
): Promise<Store> {
  return openAsyncSqliteStore(opSqliteExecutor(db), {
    synchronous: options.synchronous,
    busyTimeoutMs: options.busyTimeoutMs,
    name: 'the op-sqlite database',
    upgradeHint: '@ferry/react-native',
  });
}
