/**
 * The visibility watermark: the highest version a reader may read up to without ever
 * skipping a change that commits later (invariant I2). Versions come from a sequence and
 * writers commit in any order; the watermark stops below the oldest writer still holding
 * versions (db/migration-versions.ts says how, and why it is safe).
 *
 * A watermark read once stays safe for every snapshot taken after it, so a server keeps the
 * highest it has learnt (events/visibility.ts) and its pulls read up to that, without a
 * query of their own.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import { notMigrated } from '../errors.ts';

const WATERMARK_SQL = prepared('SELECT ferry_watermark() AS watermark');

export async function readWatermark(db: Queryable): Promise<number> {
  const [row] = await db.query<{ watermark: string | number | null }>(WATERMARK_SQL);
  if (row?.watermark === null || row?.watermark === undefined) throw notMigrated('ferry_server');
  return Number(row.watermark);
}
