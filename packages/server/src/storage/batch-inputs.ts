/**
 * What a push batch reads once it holds the version lock, in one statement: it registers
 * the client ids that are new (the first user to use a client id owns it) and reads every
 * named client's owner and last mutation id, and the current state of every record the
 * batch writes. One statement is one round trip instead of three; the rows of both kinds
 * come back tagged in one result.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import { addressOf, type RecordAddress, type RecordState } from './records.ts';

export interface ClientRow {
  clientId: string;
  userId: string;
  lastMutationId: number;
}

export interface BatchInputs {
  clients: Map<string, ClientRow>;
  /** The client ids this batch registered: no one had used them before. */
  newClients: Set<string>;
  records: Map<string, RecordState>;
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
  )
  SELECT 'n' AS kind, client_id AS a, user_id AS b, NULL::text AS c, NULL::text AS value,
    last_mutation_id AS n
  FROM claimed
  UNION ALL
  SELECT 'c', client_id, user_id, NULL, NULL, last_mutation_id
  FROM ferry_clients WHERE client_id = ANY($1::text[])
  UNION ALL
  SELECT 'r', r.space, r.collection, r.key, r.value, r.version
  FROM unnest($3::text[], $4::text[], $5::text[]) AS w(space, collection, key)
  JOIN ferry_records r ON r.space = w.space AND r.collection = w.collection AND r.key = w.key`);

interface TaggedRow {
  /** A client (`n` when the statement registered it), or a record. */
  kind: 'c' | 'n' | 'r';
  a: string;
  b: string;
  c: string | null;
  value: string | null;
  n: string | number;
}

async function readOnce(
  db: Queryable,
  claims: ClientClaims,
  addresses: readonly RecordAddress[],
): Promise<BatchInputs> {
  const rows = await db.query<TaggedRow>(READ_SQL, [
    claims.clientIds,
    claims.userIds,
    addresses.map((a) => a.space),
    addresses.map((a) => a.collection),
    addresses.map((a) => a.key),
  ]);
  const clients = new Map<string, ClientRow>();
  const newClients = new Set<string>();
  const records = new Map<string, RecordState>();
  for (const row of rows) {
    if (row.kind !== 'r') {
      clients.set(row.a, { clientId: row.a, userId: row.b, lastMutationId: Number(row.n) });
      if (row.kind === 'n') newClients.add(row.a);
    } else {
      const address = { space: row.a, collection: row.b, key: row.c! };
      records.set(addressOf(address), { text: row.value, version: Number(row.n) });
    }
  }
  return { clients, newClients, records };
}

export async function readBatchInputs(
  db: Queryable,
  claims: ClientClaims,
  addresses: readonly RecordAddress[],
): Promise<BatchInputs> {
  const unique = new Map<string, RecordAddress>();
  for (const a of addresses) unique.set(addressOf(a), a);
  const list = [...unique.values()];
  const inputs = await readOnce(db, claims, list);
  // A pull claiming one of these ids at the same moment: the statement waited for it, but
  // its snapshot is older than that row. The next statement sees it.
  if (claims.clientIds.every((id) => inputs.clients.has(id))) return inputs;
  const again = await readOnce(db, claims, list);
  // The ids the first statement registered are old ones to the second.
  for (const id of inputs.newClients) again.newClients.add(id);
  return again;
}
