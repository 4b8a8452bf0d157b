/**
 * Everything a push batch writes, in one statement of data-modifying CTEs (one round trip
 * instead of up to six): the records' final states, the clients' new last mutation ids,
 * the new head version, remembered rejections, the afterCommit outbox entry, and the
 * notification to other replicas (delivered only if the transaction commits). The parts
 * touch different tables, so running them in one statement changes nothing but the count
 * of round trips; parts with nothing to write are left out.
 *
 * When asked, the same statement also reads the bases a poke's changes need
 * (commit-patch.ts): all its parts see the database as it was before its own writes, so the
 * records the batch leaves alone are those it does not name.
 */
import { prepared, type Queryable, type SqlParam } from '../db/driver.ts';
import type { RecordAddress, RecordState } from './records.ts';
import type { RejectionRow } from './rejections.ts';

export interface BatchWrites {
  /** Each address at most once, with its final state. */
  records: readonly (RecordAddress & { state: RecordState })[];
  /** Client id → its last processed mutation id. */
  clients: ReadonlyMap<string, number>;
  /** The head version after the batch, when it moved. */
  headVersion: number | undefined;
  rejections: readonly RejectionRow[];
  /** The afterCommit outbox entry (JSON of the changes), when there is one. */
  commitEvent: string | undefined;
  notify: { channel: string; payload: string } | undefined;
  /** Spaces to read the bases of (see commit-patch.ts), when the batch's pokes may carry it. */
  basesOf?: readonly string[] | undefined;
}

/** For each space of `basesOf`: the highest version, before the batch, of what it left alone. */
export type Bases = Map<string, number>;

export async function writeBatch(db: Queryable, writes: BatchWrites): Promise<Bases | undefined> {
  const params: SqlParam[] = [];
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  const { records, clients, rejections } = writes;
  // The records' addresses, bound once however many parts name them.
  let addressParams: string | undefined;
  const addresses = () =>
    (addressParams ??= `${param(records.map((r) => r.space))}::text[],
        ${param(records.map((r) => r.collection))}::text[], ${param(records.map((r) => r.key))}::text[]`);
  if (records.length > 0) {
    parts.push(`INSERT INTO ferry_records (space, collection, key, value, version)
      SELECT * FROM unnest(${addresses()},
        ${param(records.map((r) => r.state.text))}::text[], ${param(records.map((r) => r.state.version))}::bigint[])
      ON CONFLICT (space, collection, key)
      DO UPDATE SET value = excluded.value, version = excluded.version, committed_at = now()`);
  }
  if (clients.size > 0) {
    parts.push(`UPDATE ferry_clients c SET last_mutation_id = m.id, updated_at = now()
      FROM unnest(${param([...clients.keys()])}::text[], ${param([...clients.values()])}::bigint[])
        AS m(client_id, id)
      WHERE c.client_id = m.client_id`);
  }
  if (writes.headVersion !== undefined) {
    parts.push(
      `UPDATE ferry_server SET head_version = ${param(writes.headVersion)}::bigint WHERE id = 1`,
    );
  }
  if (rejections.length > 0) {
    parts.push(`INSERT INTO ferry_rejections (client_id, mutation_id, code, message)
      SELECT * FROM unnest(${param(rejections.map((r) => r.clientId))}::text[],
        ${param(rejections.map((r) => r.mutationId))}::bigint[],
        ${param(rejections.map((r) => r.code))}::text[], ${param(rejections.map((r) => r.message))}::text[])
      ON CONFLICT (client_id, mutation_id) DO NOTHING`);
  }
  if (writes.commitEvent !== undefined) {
    parts.push(`INSERT INTO ferry_commit_events (changes) VALUES (${param(writes.commitEvent)})`);
  }
  const { notify, basesOf } = writes;
  const notified = notify ? `pg_notify(${param(notify.channel)}, ${param(notify.payload)})` : '1';
  // Never below the compaction floor: a cursor under it may have missed a deletion whose
  // tombstone is gone, and must pull (and be reset) rather than take a poke's changes.
  const bases = basesOf
    ? `(SELECT json_object_agg(s.space, GREATEST((
          SELECT max(r.version) FROM ferry_records r
          WHERE r.space = s.space AND NOT EXISTS (
            SELECT 1 FROM unnest(${addresses()}) AS w(space, collection, key)
            WHERE w.space = r.space AND w.collection = r.collection AND w.key = r.key)),
          (SELECT min_cursor_version FROM ferry_server WHERE id = 1), 0))::text
        FROM unnest(${param([...basesOf])}::text[]) AS s(space))`
    : 'NULL::text';
  if (parts.length === 0 && !notify && !basesOf) return undefined;
  const select = `SELECT ${notified} AS notified, ${bases} AS bases`;
  const ctes = parts.map((sql, i) => `w${i} AS (${sql})`);
  // A few dozen distinct texts at most (which parts are present), so each is prepared.
  const sql = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n${select}` : select;
  const [row] = await db.query<{ bases: string | null }>(prepared(sql), params);
  if (!basesOf || !row?.bases) return undefined;
  const parsed = JSON.parse(row.bases) as Record<string, number | string>;
  return new Map(Object.entries(parsed).map(([space, base]) => [space, Number(base)]));
}
