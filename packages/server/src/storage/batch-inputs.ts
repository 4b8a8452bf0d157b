/**
 * What a push batch reads before it decides, in one call of `ferry_read_batch` (created by
 * db/migration-versions.ts), so one round trip: the batch's reservation of versions, the
 * client ids it claims (the first user to use a client id owns it) and every named client's
 * owner and last mutation id, locked, the current state of every record it writes, locked
 * too (a record that does not exist yet gets a placeholder row, version 0 and no value, so
 * that two batches creating it wait for each other), and one version for each mutation.
 *
 * The locks take the place of the single lock every writer once held: two batches that
 * name one client or one record run one after the other, and batches that share neither
 * run side by side. The versions are drawn only once the locks are held, so a record's
 * versions rise in the order its writers commit.
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
  /** Current states; a placeholder reads as a tombstone of version 0. */
  records: Map<string, RecordState>;
  /** Addresses that got a placeholder: deleted again unless the batch writes them. */
  placeholders: Map<string, RecordAddress>;
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

const READ_SQL = prepared('SELECT * FROM ferry_read_batch($1, $2, $3, $4, $5, $6, $7)');

interface TaggedRow {
  /** A client (`n` when the call registered it), a record, or the batch's state (`s`). */
  kind: 'c' | 'n' | 'r' | 's';
  a: string;
  b: string;
  c: string | null;
  value: string | null;
  n: string | number | null;
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
  const rows = await db.query<TaggedRow>(READ_SQL, [
    claims.clientIds,
    claims.userIds,
    list.map((a) => a.space),
    list.map((a) => a.collection),
    list.map((a) => a.key),
    options.draws,
    options.wantWatermark,
  ]);
  const clients = new Map<string, ClientRow>();
  const newClients = new Set<string>();
  const records = new Map<string, RecordState>();
  const placeholders = new Map<string, RecordAddress>();
  let state: TaggedRow | undefined;
  for (const row of rows) {
    if (row.kind === 's') {
      state = row;
    } else if (row.kind === 'r') {
      const address = { space: row.a, collection: row.b, key: row.c! };
      const key = addressOf(address);
      const version = Number(row.n);
      records.set(key, { text: row.value, version });
      if (version === 0) placeholders.set(key, address);
    } else {
      clients.set(row.a, { clientId: row.a, userId: row.b, lastMutationId: Number(row.n) });
      if (row.kind === 'n') newClients.add(row.a);
    }
  }
  if (!state) throw notMigrated('ferry_server');
  return {
    serverId: state.a,
    clients,
    newClients,
    records,
    placeholders,
    floor: Number(state.b),
    watermark: state.c === null ? undefined : Number(state.c),
    versions: state.value ? state.value.split(',').map(Number) : [],
  };
}
