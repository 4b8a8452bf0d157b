/**
 * Tombstone compaction. Deletes are kept as tombstones so that clients learn of them; once
 * older than the retention they are removed, and cursors from before the newest removed
 * tombstone are answered with a reset (a fresh snapshot), since they might have missed it.
 * Versions follow commit order, so every tombstone at or below that version is older than
 * the retention too. The floor and the deletes commit together, and a pull reads the floor
 * in the same snapshot as its scan. Running it on several replicas at once is harmless.
 */
import type { Database } from '../db/driver.ts';

export interface CompactionResult {
  /** Tombstones removed. */
  removed: number;
  /** Cursors below this version now get a reset. */
  minCursorVersion: number;
}

/** Removes tombstones older than `retentionMs` and raises the cursor floor, in one transaction. */
export function compactTombstones(
  database: Database,
  retentionMs: number,
): Promise<CompactionResult> {
  return database.transaction(async (db) => {
    const [found] = await db.query<{ horizon: string | number | null }>(
      `SELECT max(version) AS horizon FROM ferry_records
     WHERE value IS NULL AND committed_at < now() - $1::bigint * interval '1 millisecond'`,
      [retentionMs],
    );
    const horizon =
      found?.horizon === null || found?.horizon === undefined ? undefined : Number(found.horizon);
    let removed = 0;
    if (horizon !== undefined) {
      // A record written again meanwhile is no longer a tombstone and is kept: the condition
      // is checked again on the row as it is when deleted.
      const [gone] = await db.query<{ n: string | number }>(
        `WITH gone AS (DELETE FROM ferry_records WHERE value IS NULL AND version <= $1 RETURNING 1)
       SELECT count(*) AS n FROM gone`,
        [horizon],
      );
      removed = Number(gone?.n ?? 0);
      await db.query(
        'UPDATE ferry_server SET min_cursor_version = GREATEST(min_cursor_version, $1) WHERE id = 1',
        [horizon],
      );
    }
    const [server] = await db.query<{ min_cursor_version: string | number }>(
      'SELECT min_cursor_version FROM ferry_server WHERE id = 1',
    );
    return { removed, minCursorVersion: Number(server?.min_cursor_version ?? 0) };
  });
}
