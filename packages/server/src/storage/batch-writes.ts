/**
 * Everything a push batch writes, in one statement of data-modifying CTEs (one round trip
 * instead of up to six): the records' final states, the clients' new last mutation ids,
 * the new head version, remembered rejections, the afterCommit outbox entry, and the
 * notification to other replicas (delivered only if the transaction commits). The parts
 * touch different tables, so running them in one statement changes nothing but the count
 * of round trips; parts with nothing to write are left out.
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
}

export async function writeBatch(db: Queryable, writes: BatchWrites): Promise<void> {
  const params: SqlParam[] = [];
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  const { records, clients, rejections } = writes;
  if (records.length > 0) {
    parts.push(`INSERT INTO ferry_records (space, collection, key, value, version)
      SELECT * FROM unnest(${param(records.map((r) => r.space))}::text[],
        ${param(records.map((r) => r.collection))}::text[], ${param(records.map((r) => r.key))}::text[],
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
  const { notify } = writes;
  const select = notify
    ? `SELECT pg_notify(${param(notify.channel)}, ${param(notify.payload)})`
    : 'SELECT 1';
  if (parts.length === 0 && !notify) return;
  const ctes = parts.map((sql, i) => `w${i} AS (${sql})`);
  // A few dozen distinct texts at most (which parts are present), so each is prepared.
  const sql = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n${select}` : select;
  await db.query(prepared(sql), params);
}
