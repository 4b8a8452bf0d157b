/**
 * The transactional outbox behind `afterCommit`: the changes of a transaction are written in
 * that same transaction, so they exist exactly when the transaction committed. A dispatcher
 * then claims them with a lease, delivers them, and deletes them; a crash before the delete
 * lets the lease run out and the batch is delivered again (at least once).
 */
import type { Queryable } from '../db/driver.ts';
import type { CommittedChange } from '../rules.ts';

export interface ClaimedEvent {
  id: number;
  changes: CommittedChange[];
  attempts: number;
}

/** Claims the oldest deliverable batch for `leaseMs`, or returns undefined when none waits. */
export async function claimCommitEvent(
  db: Queryable,
  leaseMs: number,
): Promise<ClaimedEvent | undefined> {
  const [row] = await db.query<{ id: string | number; changes: string; attempts: number }>(
    `UPDATE ferry_commit_events SET claimed_until = now() + $1::bigint * interval '1 millisecond', attempts = attempts + 1
     WHERE id = (
       SELECT id FROM ferry_commit_events
       WHERE next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY id LIMIT 1
       FOR UPDATE SKIP LOCKED
     )
     RETURNING id, changes, attempts`,
    [leaseMs],
  );
  if (!row) return undefined;
  return {
    id: Number(row.id),
    changes: JSON.parse(row.changes) as CommittedChange[],
    attempts: row.attempts,
  };
}

export async function completeCommitEvent(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM ferry_commit_events WHERE id = $1', [id]);
}

/** Releases a batch whose delivery failed, to be tried again after `retryInMs`. */
export async function failCommitEvent(
  db: Queryable,
  id: number,
  retryInMs: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE ferry_commit_events
     SET claimed_until = NULL, next_attempt_at = now() + $2::bigint * interval '1 millisecond', last_error = $3
     WHERE id = $1`,
    [id, retryInMs, error.slice(0, 2000)],
  );
}
