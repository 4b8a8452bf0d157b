/**
 * Remembered rejections: why a mutation was refused, kept so that resending it after a
 * lost response (which makes it a duplicate) still tells the client it was rejected, and
 * the client can roll it back and report it instead of silently dropping it.
 */
import type { RejectionCode } from '@ferry/protocol';
import type { Queryable } from '../db/driver.ts';

export interface RejectionRow {
  clientId: string;
  mutationId: number;
  code: RejectionCode;
  message: string;
}

const keyOf = (clientId: string, mutationId: number) => `${clientId}\u0000${mutationId}`;

/** The remembered rejections among these mutations, keyed by `rejectionKey`. */
export async function loadRejections(
  db: Queryable,
  wanted: readonly { clientId: string; mutationId: number }[],
): Promise<Map<string, RejectionRow>> {
  const found = new Map<string, RejectionRow>();
  if (wanted.length === 0) return found;
  const rows = await db.query<{
    client_id: string;
    mutation_id: string | number;
    code: RejectionCode;
    message: string;
  }>(
    `SELECT r.client_id, r.mutation_id, r.code, r.message
     FROM unnest($1::text[], $2::bigint[]) AS w(client_id, mutation_id)
     JOIN ferry_rejections r ON r.client_id = w.client_id AND r.mutation_id = w.mutation_id`,
    [wanted.map((w) => w.clientId), wanted.map((w) => w.mutationId)],
  );
  for (const r of rows) {
    const mutationId = Number(r.mutation_id);
    found.set(keyOf(r.client_id, mutationId), {
      clientId: r.client_id,
      mutationId,
      code: r.code,
      message: r.message,
    });
  }
  return found;
}

export function rejectionKey(clientId: string, mutationId: number): string {
  return keyOf(clientId, mutationId);
}

/** Forgets rejections older than the retention period; returns how many. */
export async function pruneRejections(db: Queryable, retentionMs: number): Promise<number> {
  const rows = await db.query<{ n: string | number }>(
    `WITH gone AS (
       DELETE FROM ferry_rejections WHERE created_at < now() - $1::bigint * interval '1 millisecond' RETURNING 1
     ) SELECT count(*) AS n FROM gone`,
    [retentionMs],
  );
  return Number(rows[0]?.n ?? 0);
}
