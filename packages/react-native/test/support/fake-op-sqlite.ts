/**
 * A fake of op-sqlite's `DB` on real SQLite, following its documentation and its
 * JavaScript source (`functions.ts`): `execute(query, params?)` answers on a later turn of
 * the event loop with `{ rows, rowsAffected }` and runs every statement of a script;
 * `transaction(fn)` waits its turn in a queue, runs `BEGIN TRANSACTION` on the same
 * connection, gives `fn` a `tx` whose `execute` refuses to run once the transaction is
 * finalized, then commits (or rolls back when `fn` throws); `close()` is synchronous.
 * It records every statement, and whether it ran inside a transaction.
 */
import type { OpSqliteDatabase, OpSqliteStatements } from '@ferry/react-native';
import Database from 'better-sqlite3';

export interface OpCall {
  sql: string;
  /** Through a transaction's `tx`, rather than the database. */
  viaTransaction: boolean;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function openFakeOpDatabase(path: string): OpSqliteDatabase & {
  readonly calls: OpCall[];
  readonly closed: boolean;
} {
  const db = new Database(path);
  const calls: OpCall[] = [];
  let closed = false;
  const queue: Array<() => void> = [];
  let inProgress = false;

  const executeOn = async (viaTransaction: boolean, query: string, params: unknown[] = []) => {
    await nextTurn();
    if (closed) throw new Error('[op-sqlite] Database is closed');
    calls.push({ sql: query, viaTransaction });
    const statement = (() => {
      try {
        return db.prepare(query);
      } catch (error) {
        if (!/more than one statement/.test(String(error))) throw error;
        return null;
      }
    })();
    if (statement === null) {
      db.exec(query);
      return { rows: [], rowsAffected: 0 };
    }
    if (statement.reader) {
      return { rows: statement.all(...params) as Record<string, unknown>[], rowsAffected: 0 };
    }
    const result = statement.run(...params);
    return { rows: [], rowsAffected: result.changes };
  };

  const startNext = () => {
    if (inProgress) return;
    const next = queue.shift();
    if (next === undefined) return;
    inProgress = true;
    next();
  };

  const database: OpSqliteDatabase = {
    execute: (query, params) => executeOn(false, query, params),
    transaction(fn) {
      return new Promise<void>((resolve, reject) => {
        queue.push(() => {
          let finalized = false;
          const tx: OpSqliteStatements = {
            execute: async (query, params) => {
              if (finalized) throw new Error('Cannot execute query on finalized transaction');
              return executeOn(true, query, params);
            },
          };
          const run = async () => {
            try {
              db.exec('BEGIN TRANSACTION;');
              await fn(tx);
              if (!finalized) db.exec('COMMIT;');
              finalized = true;
            } catch (error) {
              if (!finalized) db.exec('ROLLBACK;');
              finalized = true;
              throw error;
            } finally {
              inProgress = false;
              startNext();
            }
          };
          run().then(resolve, reject);
        });
        startNext();
      });
    },
    close() {
      closed = true;
      db.close();
    },
  };
  return {
    ...database,
    calls,
    get closed() {
      return closed;
    },
  };
}
