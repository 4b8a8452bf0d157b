/**
 * A fake of expo-sqlite's `SQLiteDatabase` (the asynchronous API) on real SQLite, following
 * what its documentation and its JavaScript source say: each call answers on a later turn
 * of the event loop; `runAsync` and `getAllAsync` take an array of positional parameters;
 * `withExclusiveTransactionAsync(task)` opens a new connection to the same file, runs
 * `BEGIN` on it, gives it to `task` as `txn`, then `COMMIT`s (or `ROLLBACK`s when the task
 * throws) and closes it. It records every call, with the connection it ran on.
 */
import type { ExpoSqliteDatabase, ExpoSqliteStatements } from '@ferry/react-native';
import Database from 'better-sqlite3';

export interface ExpoCall {
  /** 'main' or the transaction's number (1, 2…). */
  connection: 'main' | number;
  method: 'execAsync' | 'runAsync' | 'getAllAsync' | 'closeAsync';
  sql?: string;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function statementsOn(
  db: Database.Database,
  connection: ExpoCall['connection'],
  calls: ExpoCall[],
  isOpen: () => boolean,
): ExpoSqliteStatements {
  const call = async (method: ExpoCall['method'], sql: string) => {
    await nextTurn();
    if (!isOpen()) throw new Error('Access to closed resource');
    calls.push({ connection, method, sql });
  };
  return {
    async execAsync(source) {
      await call('execAsync', source);
      db.exec(source);
    },
    async runAsync(source, params) {
      await call('runAsync', source);
      const result = db.prepare(source).run(...params);
      return { lastInsertRowId: Number(result.lastInsertRowid), changes: result.changes };
    },
    async getAllAsync<T>(source: string, params: (string | number | null)[]) {
      await call('getAllAsync', source);
      return db.prepare(source).all(...params) as T[];
    },
  };
}

export function openFakeExpoDatabase(path: string): ExpoSqliteDatabase & {
  readonly calls: ExpoCall[];
  readonly closed: boolean;
} {
  const db = new Database(path);
  const calls: ExpoCall[] = [];
  let closed = false;
  let transactions = 0;
  return {
    calls,
    get closed() {
      return closed;
    },
    ...statementsOn(db, 'main', calls, () => !closed),
    async withExclusiveTransactionAsync(task) {
      await nextTurn();
      const number = ++transactions;
      const connection = new Database(path);
      let open = true;
      const txn = statementsOn(connection, number, calls, () => open);
      let error: unknown;
      try {
        await txn.execAsync('BEGIN');
        await task(txn);
        await txn.execAsync('COMMIT');
      } catch (e) {
        await txn.execAsync('ROLLBACK');
        error = e;
      } finally {
        open = false;
        connection.close();
      }
      if (error) throw error;
    },
    async closeAsync() {
      await nextTurn();
      calls.push({ connection: 'main', method: 'closeAsync' });
      closed = true;
      db.close();
    },
  };
}
