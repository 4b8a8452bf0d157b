/**
 * What the SQL store needs from a SQLite driver: statements with positional parameters on
 * one database, and one kind of transaction. A driver is either synchronous (better-sqlite3
 * in Node) or asynchronous (expo-sqlite, op-sqlite on phones); the store's SQL is written
 * once and run by either, so each driver adapter is a few lines that map these methods onto
 * the driver's own.
 *
 * Values bound and read are text, numbers and NULL only: records, outbox entries and
 * metadata are stored as JSON text, and versions and ids as integers.
 */

/** A value bound to a `?` or read from a column. */
export type SqlValue = string | number | null;

/** A row read by a query, by column name. */
export type SqlRow = Readonly<Record<string, SqlValue>>;

/** Statements on one database, answered at once. */
export interface SyncSqlStatements {
  /** Runs a statement that returns rows (a SELECT or a PRAGMA read) and returns them all. */
  all(sql: string, params: readonly SqlValue[]): SqlRow[];
  /** Runs a statement that returns no rows. */
  run(sql: string, params: readonly SqlValue[]): void;
  /** Runs a script of one or more statements without parameters (the schema, pragmas). */
  exec(sql: string): void;
}

/** Statements on one database, answered later. */
export interface AsyncSqlStatements {
  all(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, params: readonly SqlValue[]): Promise<void>;
  exec(sql: string): Promise<void>;
}

/** A synchronous driver, such as better-sqlite3. */
export interface SyncSqliteExecutor extends SyncSqlStatements {
  readonly kind: 'sync';
  /**
   * Runs `work` as one write transaction that holds the database's write lock from its start
   * (`BEGIN IMMEDIATE`), commits when `work` returns and rolls back when it throws.
   */
  transaction<T>(work: () => T): T;
  close(): void;
}

/** An asynchronous driver, such as expo-sqlite or op-sqlite. */
export interface AsyncSqliteExecutor extends AsyncSqlStatements {
  readonly kind: 'async';
  /**
   * Runs `work` as one write transaction, committed when `work` resolves and rolled back when
   * it rejects. `work` runs its statements on `tx` only, and no other statement of this
   * database may run inside the transaction (expo-sqlite's `withExclusiveTransactionAsync`
   * gives it a connection of its own; op-sqlite queues its transactions). The transaction may
   * begin deferred: the store's first statement in it is a write, so it holds the write lock
   * from then on.
   */
  transaction<T>(work: (tx: AsyncSqlStatements) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SqliteExecutor = SyncSqliteExecutor | AsyncSqliteExecutor;
