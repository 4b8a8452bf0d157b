/**
 * Everything a push batch writes, in one statement of data-modifying CTEs (one round trip
 * instead of up to six): the records' final states (a record the batch found missing only
 * if it is still missing: the statement says how many it created, and the batch runs again
 * when another transaction created one first), the clients' new last mutation ids, remembered rejections, the
 * afterCommit outbox entry, and the notification to other replicas (delivered only if the
 * transaction commits), with the watermark read once the batch's versions are taken (a
 * version safe to read up to after the commit: storage/watermark.ts). The parts touch
 * different rows, so running them in one statement changes nothing but the count of round
 * trips; parts with nothing to write are left out.
 *
 * When asked, the same statement also reads the bases a poke's changes need
 * (commit-patch.ts): all its parts see the database as it was before its own writes, so the
 * records the batch leaves alone are those it does not name.
 */
import { prepared, type Queryable, type SqlParam } from '../db/driver.ts';
import type { RecordAddress, RecordState } from './records.ts';
import type { RejectionRow } from './rejections.ts';

export interface BatchWrites {
  /** Each address at most once, with its final state; `created` when it did not exist. */
  records: readonly (RecordAddress & { state: RecordState; created: boolean })[];
  /**
   * Client id → its last processed mutation id, and the highest version the batch wrote for
   * it (0: none), which the client's `last_version` rises to.
   */
  clients: ReadonlyMap<string, { id: number; version: number }>;
  rejections: readonly RejectionRow[];
  /** The afterCommit outbox entry (JSON of the changes), when there is one. */
  commitEvent: string | undefined;
  /** `payload` is a JSON object; the statement puts the watermark first, as `v`. */
  notify: { channel: string; payload: string } | undefined;
  /** Read the watermark after the writes. */
  watermark: boolean;
  /** Spaces to read the bases of (see commit-patch.ts), when the batch's pokes may carry it. */
  basesOf?: readonly string[] | undefined;
}

/** For each space of `basesOf`: the highest version, before the batch, of what it left alone. */
export type Bases = Map<string, number>;

export interface WrittenBatch {
  watermark: number | undefined;
  bases: Bases | undefined;
  /** How many of the records marked `created` the statement created. */
  created: number;
}

export async function writeBatch(db: Queryable, writes: BatchWrites): Promise<WrittenBatch> {
  const params: SqlParam[] = [];
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  const { clients, rejections } = writes;
  const records = writes.records.filter((r) => !r.created);
  const created = writes.records.filter((r) => r.created);
  // The records' addresses, bound once however many parts name them.
  let addressParams: string | undefined;
  const addresses = () =>
    (addressParams ??= `${param(writes.records.map((r) => r.space))}::text[],
        ${param(writes.records.map((r) => r.collection))}::text[], ${param(writes.records.map((r) => r.key))}::text[]`);
  const columns = (list: typeof records) =>
    `${param(list.map((r) => r.space))}::text[], ${param(list.map((r) => r.collection))}::text[],
        ${param(list.map((r) => r.key))}::text[], ${param(list.map((r) => r.state.text))}::text[],
        ${param(list.map((r) => r.state.version))}::bigint[]`;
  if (records.length > 0) {
    parts.push(`INSERT INTO ferry_records (space, collection, key, value, version)
      SELECT * FROM unnest(${columns(records)})
      ON CONFLICT (space, collection, key)
      DO UPDATE SET value = excluded.value, version = excluded.version, committed_at = now()`);
  }
  let createdCount = '0';
  if (created.length > 0) {
    parts.push(`INSERT INTO ferry_records (space, collection, key, value, version)
      SELECT * FROM unnest(${columns(created)})
      ON CONFLICT (space, collection, key) DO NOTHING
      RETURNING 1`);
    createdCount = `(SELECT count(*) FROM w${parts.length - 1})`;
  }
  if (clients.size > 0) {
    const moved = [...clients.values()];
    parts.push(`UPDATE ferry_clients c SET prev_mutation_id = c.last_mutation_id,
        prev_version = c.last_version, last_mutation_id = m.id,
        last_version = GREATEST(c.last_version, m.version), updated_at = now()
      FROM unnest(${param([...clients.keys()])}::text[], ${param(moved.map((m) => m.id))}::bigint[],
        ${param(moved.map((m) => m.version))}::bigint[]) AS m(client_id, id, version)
      WHERE c.client_id = m.client_id`);
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
  // The watermark is read in a subquery of FROM, so before the notification that carries it.
  const notified = notify
    ? `pg_notify(${param(notify.channel)}, '{"v":' || wm.watermark || ',' || ${param(notify.payload.slice(1))})`
    : '1';
  // Never below the compaction floor: a cursor under it may have missed a deletion whose
  // tombstone is gone, and must pull (and be reset) rather than take a poke's changes.
  // Only the space's newest records are read, one more than the batch names: at least one
  // of them is not the batch's, and the newest record the batch leaves alone is among them.
  // (A max over the space with the batch's records filtered out read the whole space: 2.8 ms
  // a push at 4,000 records, growing with them.)
  const bases = basesOf
    ? `(SELECT json_object_agg(s.space, GREATEST((
          SELECT max(top.version) FROM (
            SELECT r.version, r.collection, r.key FROM ferry_records r
            WHERE r.space = s.space ORDER BY r.version DESC
            LIMIT ${param(writes.records.length + 1)}::bigint) top
          WHERE NOT EXISTS (
            SELECT 1 FROM unnest(${addresses()}) AS w(space, collection, key)
            WHERE w.space = s.space AND w.collection = top.collection AND w.key = top.key)),
          (SELECT min_cursor_version FROM ferry_server WHERE id = 1), 0))::text
        FROM unnest(${param([...basesOf])}::text[]) AS s(space))`
    : 'NULL::text';
  const watermark = writes.watermark || notify ? 'ferry_watermark()' : 'NULL::bigint';
  if (parts.length === 0 && !notify && !basesOf && !writes.watermark)
    return { watermark: undefined, bases: undefined, created: 0 };
  const select = `SELECT wm.watermark, ${notified} AS notified, ${bases} AS bases,
      ${createdCount}::int AS created
    FROM (SELECT ${watermark} AS watermark) wm`;
  const ctes = parts.map((sql, i) => `w${i} AS (${sql})`);
  // A few dozen distinct texts at most (which parts are present), so each is prepared.
  const sql = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n${select}` : select;
  const [row] = await db.query<{
    watermark: string | number | null;
    bases: string | null;
    created: number;
  }>(prepared(sql), params);
  const seen =
    row?.watermark === null || row?.watermark === undefined ? undefined : Number(row.watermark);
  const count = row?.created ?? 0;
  if (!basesOf || !row?.bases) return { watermark: seen, bases: undefined, created: count };
  const parsed = JSON.parse(row.bases) as Record<string, number | string>;
  return {
    watermark: seen,
    bases: new Map(Object.entries(parsed).map(([space, base]) => [space, Number(base)])),
    created: count,
  };
}
