/**
 * What a push batch reads before it decides, in one statement, so one round trip: the
 * client ids it claims (the first user to use a client id owns it) and every named
 * client's owner and last mutation id, locked, the current state of every record it
 * writes, locked too, and then the batch's reservation and one version for each mutation
 * (`ferry_reserve`, created by db/migration-versions.ts). The rows of every kind come back
 * tagged in one result.
 *
 * The row locks take the place of the single lock every writer once held: two batches that
 * name one client or one record run one after the other, and batches that share neither
 * run side by side. A record that does not exist has no row to lock: the batch writes it
 * only if it still does not exist (batch-writes.ts), and runs again otherwise. Versions are
 * drawn once the locks are held, so a record's versions rise in the order its writers
 * commit.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import { notMigrated } from '../errors.ts';
import { addressOf, type RecordAddress, type RecordState } from './records.ts';

export interface ClientRow {
  clientId: string;
  userId: string;
  lastMutationId: number;
}

export interface BatchInputs {
  /** The database's id, for the cursors pokes hand out. */
  serverId: string;
  clients: Map<string, ClientRow>;
  /** The client ids this batch registered: no one had used them before. */
  newClients: Set<string>;
  /** Current states of the records that exist; the others do not. */
  records: Map<string, RecordState>;
  /** The sequence's last value when the batch reserved: its versions are all above it. */
  floor: number;
  /** The watermark just after the reservation, when asked for. */
  watermark: number | undefined;
  /** One version per mutation asked for, ascending. */
  versions: number[];
}

/** Client ids to claim, each with the user who would own it if it is new. */
export interface ClientClaims {
  clientIds: readonly string[];
  userIds: readonly string[];
}

const READ_SQL = prepared(`
  WITH claimed AS (
    INSERT INTO ferry_clients (client_id, user_id)
    SELECT * FROM unnest($1::text[], $2::text[])
    ON CONFLICT (client_id) DO NOTHING
    RETURNING client_id, user_id, last_mutation_id
  ), locked AS (
    SELECT client_id, user_id, last_mutation_id FROM ferry_clients
    WHERE client_id = ANY($1::text[])
    ORDER BY client_id FOR UPDATE
  ), current AS (
    SELECT r.space, r.collection, r.key, r.value, r.version FROM ferry_records r
    JOIN unnest($3::text[], $4::text[], $5::text[]) AS w(space, collection, key)
      ON r.space = w.space AND r.collection = w.collection AND r.key = w.key
    ORDER BY r.space, r.collection, r.key FOR UPDATE OF r
  ), reserved AS (
    -- The counts are arguments, so the locks above are held before versions are drawn.
    SELECT * FROM ferry_reserve($6, $7, (SELECT count(*) FROM claimed)
      + (SELECT count(*) FROM locked) + (SELECT count(*) FROM current))
  )
  SELECT 's' AS kind, (SELECT server_id FROM ferry_server WHERE id = 1) AS a,
    floor_version::text AS b, seen::text AS c, versions AS value, NULL::bigint AS n
  FROM reserved
  UNION ALL
  SELECT 'n', client_id, user_id, NULL, NULL, last_mutation_id FROM claimed
  UNION ALL
  SELECT 'c', client_id, user_id, NULL, NULL, last_mutation_id FROM locked

  UNION ALL
  SELECT 'r', space, collection, key, value, version FROM current`);

interface TaggedRow {
  /** A client (`n` when the statement registered it), a record, or the reservation (`s`). */
  kind: 'c' | 'n' | 'r' | 's';
  a: string;
  b: string;
  c: string | null;
  value: string | null;
  n: string | number | null;
}

async function readOnce(
  db: Queryable,
  claims: ClientClaims,
  list: readonly RecordAddress[],
  draws: number,
  wantWatermark: boolean,
): Promise<{
  rows: TaggedRow[];
  inputs: Omit<BatchInputs, 'serverId' | 'floor' | 'watermark' | 'versions'>;
  state: TaggedRow | undefined;
}> {
  const rows = await db.query<TaggedRow>(READ_SQL, [
    claims.clientIds,
    claims.userIds,
    list.map((a) => a.space),
    list.map((a) => a.collection),
    list.map((a) => a.key),
    draws,
    wantWatermark,
  ]);
  const clients = new Map<string, ClientRow>();
  const newClients = new Set<string>();
  const records = new Map<string, RecordState>();
  let state: TaggedRow | undefined;
  for (const row of rows) {
    if (row.kind === 's') {
      state = row;
    } else if (row.kind === 'r') {
      const address = { space: row.a, collection: row.b, key: row.c! };
      records.set(addressOf(address), { text: row.value, version: Number(row.n) });
    } else {
      clients.set(row.a, { clientId: row.a, userId: row.b, lastMutationId: Number(row.n) });
      if (row.kind === 'n') newClients.add(row.a);
    }
  }
  return { rows, inputs: { clients, newClients, records }, state };
}

export async function readBatchInputs(
  db: Queryable,
  claims: ClientClaims,
  addresses: readonly RecordAddress[],
  options: { draws: number; wantWatermark: boolean },
): Promise<BatchInputs> {
  const unique = new Map<string, RecordAddress>();
  for (const a of addresses) unique.set(addressOf(a), a);
  const list = [...unique.values()];
  const first = await readOnce(db, claims, list, options.draws, options.wantWatermark);
  const { state } = first;
  if (!state) throw notMigrated('ferry_server');
  const reservation = {
    serverId: state.a,
    floor: Number(state.b),
    watermark: state.c === null ? undefined : Number(state.c),
    versions: state.value ? state.value.split(',').map(Number) : [],
  };
  if (claims.clientIds.every((id) => first.inputs.clients.has(id)))
    return { ...reservation, ...first.inputs };
  // A pull claimed one of these client ids while the statement waited for it: its snapshot
  // is older than that row. The next statement sees and locks it; the batch keeps its
  // reservation and versions.
  const again = await readOnce(db, claims, list, 0, false);
  // The ids the first statement registered are old ones to the second.
  for (const id of first.inputs.newClients) again.inputs.newClients.add(id);
  return { ...reservation, ...again.inputs };
}
