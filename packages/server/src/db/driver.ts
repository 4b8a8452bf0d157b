/**
 * The one seam between Ferry's query layer and a database. PostgreSQL (through `pg`) and
 * embedded PGlite implement it; every query Ferry runs is the same SQL on both.
 */

export type SqlParam = string | number | boolean | null | readonly (string | number | null)[];

const preparedTexts = new Map<string, string>();

/**
 * Marks one of Ferry's own statements, run on every sync, to be prepared once per
 * connection where the driver can (PostgreSQL): parsing and planning a statement of a few
 * CTEs costs about as much as running it. Only fixed texts are marked, never the app's
 * queries, so the number of prepared statements per connection stays bounded.
 */
export function prepared(sql: string): string {
  if (!preparedTexts.has(sql)) preparedTexts.set(sql, `ferry_${preparedTexts.size + 1}`);
  return sql;
}

/** The statement name of a text marked with `prepared`, if it is one. */
export function preparedName(sql: string): string | undefined {
  return preparedTexts.get(sql);
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Where the data lives, for logs; never includes a password. */
  readonly description: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Holds a session-level lock for the duration of `work` so that, e.g., two replicas
   * starting together do not migrate at once. A no-op where only one process can connect.
   */
  withExclusiveLock<T>(lockId: number, work: (db: Queryable) => Promise<T>): Promise<T>;
  /**
   * Listens on a notification channel on a connection of its own, reconnecting with
   * backoff when it drops (`onConnected(false)` then says notifications may have been
   * missed). Only where several processes share the database (PostgreSQL).
   */
  listen?(channel: string, handlers: ListenHandlers): Listener;
  /** Connections of the pool, for metrics; where there is a pool. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /**
   * The notification channel of this Ferry database (channels are shared by every schema of
   * a PostgreSQL database, so each schema gets its own). Set exactly when `listen` is.
   */
  readonly notifyChannel?: string;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotification(payload: string): void;
  /** `first` is true for the first connection, false after a reconnect. */
  onConnected(first: boolean): void;
  onDisconnected(error: unknown): void;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * True for errors that mean "the database is not reachable right now" rather than "this
 * query is wrong": the server answers those with 503 `unavailable` and a Retry-After.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Node socket errors, and PostgreSQL classes 08 (connection), 53 (resources),
    // 57P (operator intervention: shutdown, crash recovery).
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)
    )
      return true;
    if (code.startsWith('08') || code.startsWith('53') || code.startsWith('57P')) return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}
