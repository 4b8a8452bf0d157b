/**
 * Keeps the plans of Ferry's statements fitting its tables as they grow.
 *
 * Ferry's statements are prepared once per connection, and PostgreSQL keeps the plan it
 * made for a table as the table was then until the table's size is recorded again (by
 * VACUUM or ANALYZE). A plan made on a new, empty database reads whole tables: a push's read,
 * which looks up the records its batch names, scanned every record instead (10 ms per batch
 * at 15,000 records, and growing). Autovacuum's analyze fixes that on PostgreSQL in time,
 * once a minute at best and not at all where it is turned off; PGlite has no autovacuum.
 *
 * So while writes go on, at most once per `checkMs` (1 s), the database looks for tables
 * that have grown by a fifth, and by at least 32 pages (256 KiB), since their size was last
 * recorded, and hands them to `onGrown` (ANALYZE on PostgreSQL, VACUUM on PGlite): their size
 * is recorded and the plans that read them are made again. A table growing from nothing to
 * 100,000 records of ~1 KB is handed over at most about thirty times in all, fewer when it
 * grows fast. The check reads each table's size in pages, and no data.
 */
import type { Queryable } from './driver.ts';

/**
 * The current schema's tables that have grown enough since their size was last recorded
 * (pg_class.relpages, 0 before the first VACUUM or ANALYZE), quoted for a statement.
 */
const GROWN_TABLES_SQL = `SELECT format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind = 'r'
    AND pg_relation_size(c.oid) / current_setting('block_size')::bigint
      >= greatest(c.relpages * 1.2, c.relpages + 32)`;

export async function grownTables(db: Queryable): Promise<string[]> {
  return (await db.query<{ name: string }>(GROWN_TABLES_SQL)).map((row) => row.name);
}

export interface GrowthWatchOptions {
  /** The tables to record again; `grownTables` on the database. */
  grown: () => Promise<readonly string[]>;
  /** Records their size: ANALYZE, or VACUUM where nothing else vacuums. */
  onGrown: (tables: readonly string[]) => Promise<void>;
  /** How often, at most, writes look for grown tables. */
  checkMs?: number;
  now?: () => number;
}

export interface GrowthWatch {
  /** A write transaction has ended. */
  noteWrite(): void;
  /** No more checks; resolves once one in progress has ended. */
  close(): Promise<void>;
}

/** Looks for grown tables after writes, as described above. Errors are ignored: the next write retries. */
export function watchTableGrowth(options: GrowthWatchOptions): GrowthWatch {
  const checkMs = options.checkMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let lastCheckAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<void> | undefined;
  let closed = false;
  return {
    noteWrite() {
      const at = now();
      if (closed || checking || at - lastCheckAt < checkMs) return;
      lastCheckAt = at;
      checking = options
        .grown()
        .then((tables) => (tables.length > 0 && !closed ? options.onGrown(tables) : undefined))
        .catch(() => {})
        .finally(() => {
          checking = undefined;
        });
    },
    async close() {
      closed = true;
      await checking;
    },
  };
}
