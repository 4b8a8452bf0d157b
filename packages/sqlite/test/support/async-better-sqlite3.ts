/**
 * An asynchronous executor over better-sqlite3 that behaves as expo-sqlite documents its
 * asynchronous API: every call answers on a later turn of the event loop (so calls from
 * different callers interleave, as they do over a native bridge), and a transaction runs on
 * a new connection to the same file that begins deferred (`BEGIN`), as
 * `withExclusiveTransactionAsync` does, committed when the work resolves and rolled back
 * when it rejects. It lets the store's asynchronous code path run on real SQLite in Node.
 */
import type { AsyncSqliteExecutor, AsyncSqlStatements, SqlRow, SqlValue } from '@ferry/sqlite';
import Database from 'better-sqlite3';

export interface AsyncExecutorHooks {
  /** Called before each statement a transaction runs, with its SQL; may wait. */
  beforeTransactionStatement?(sql: string): Promise<void> | void;
  /** Called before each `run`, anywhere; may throw to make the statement fail. */
  beforeRun?(sql: string, params: readonly SqlValue[]): void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function statementsOn(
  db: Database.Database,
  hooks: AsyncExecutorHooks,
  inTransaction: boolean,
): AsyncSqlStatements {
  const before = async (sql: string) => {
    await nextTurn();
    if (inTransaction) await hooks.beforeTransactionStatement?.(sql);
  };
  return {
    async all(sql, params) {
      await before(sql);
      return db.prepare(sql).all(...params) as SqlRow[];
    },
    async run(sql, params) {
      await before(sql);
      hooks.beforeRun?.(sql, params);
      db.prepare(sql).run(...params);
    },
    async exec(sql) {
      await before(sql);
      db.exec(sql);
    },
  };
}

export function asyncBetterSqlite3(
  path: string,
  hooks: AsyncExecutorHooks = {},
): AsyncSqliteExecutor & { readonly db: Database.Database } {
  const db = new Database(path);
  return {
    kind: 'async',
    db,
    ...statementsOn(db, hooks, false),
    async transaction(work) {
      await nextTurn();
      const connection = new Database(path);
      try {
        connection.exec('BEGIN');
        const result = await work(statementsOn(connection, hooks, true));
        connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (connection.inTransaction) connection.exec('ROLLBACK');
        throw error;
      } finally {
        connection.close();
      }
    },
    async close() {
      await nextTurn();
      db.close();
    },
  };
}
