/**
 * Reads the changes after a cursor. One range scan of `(space, version)` per space, each
 * stopped at the page size, merged by version: the cost follows the changes returned,
 * not the size of the data set. Stored values are JSON text and go into the response as
 * they are, without being parsed again.
 */
import type { Queryable } from '../db/driver.ts';
import { decodeCursor, encodeCursor, hashSpaces } from './cursor.ts';

export interface PullQuery {
  clientId: string;
  userId: string;
  /** Spaces to read: already checked against the user's grant. */
  spaces: readonly string[];
  cursor: string | null;
  limit: number;
}

export type PullOutcome =
  | { ok: true; json: string; changeCount: number; reset: boolean }
  | { ok: false; reason: 'client_owned_by_other_user' };

interface ChangeRow {
  space: string;
  collection: string;
  key: string;
  value: string | null;
  version: string | number;
}

/**
 * One page of changes after `fromVersion` (one row more than the page, to tell whether
 * there is more), and the compaction floor read in the same snapshot.
 */
async function scanChanges(
  db: Queryable,
  query: PullQuery,
  fromVersion: number,
): Promise<{ rows: ChangeRow[]; minCursorVersion: number }> {
  const result = await db.query<{ min_cursor_version: string | number } & Partial<ChangeRow>>(
    `SELECT f.min_cursor_version, c.space, c.collection, c.key, c.value, c.version
     FROM ferry_server f
     LEFT JOIN LATERAL (
       SELECT r.space, r.collection, r.key, r.value, r.version
       FROM unnest($1::text[]) AS s(space)
       CROSS JOIN LATERAL (
         SELECT space, collection, key, value, version FROM ferry_records
         WHERE space = s.space AND version > $2
         ORDER BY version
         LIMIT $3
       ) r
       ORDER BY r.version
       LIMIT $3
     ) c ON true
     WHERE f.id = 1
     ORDER BY c.version`,
    [query.spaces, fromVersion, query.limit + 1],
  );
  const minCursorVersion = Number(result[0]?.min_cursor_version ?? 0);
  const rows = result.filter(
    (r): r is typeof r & ChangeRow => r.version !== null && r.version !== undefined,
  );
  return { rows, minCursorVersion };
}

export async function pullChanges(db: Queryable, query: PullQuery): Promise<PullOutcome> {
  // The client's last mutation id is read BEFORE the changes: every mutation up to it
  // committed earlier, so the change scan that follows is sure to include its effects.
  const readState = () =>
    db.query<{
      user_id: string;
      last_mutation_id: string | number;
      server_id: string;
    }>(
      `WITH claimed AS (
       INSERT INTO ferry_clients (client_id, user_id) VALUES ($1, $2)
       ON CONFLICT (client_id) DO NOTHING
       RETURNING user_id, last_mutation_id
     ), client AS (
       SELECT user_id, last_mutation_id FROM claimed
       UNION ALL
       SELECT user_id, last_mutation_id FROM ferry_clients WHERE client_id = $1
     )
     SELECT c.user_id, c.last_mutation_id, s.server_id
     FROM (SELECT * FROM client LIMIT 1) c CROSS JOIN ferry_server s`,
      [query.clientId, query.userId],
    );
  // Two first pulls racing with one new client id: the loser's statement cannot see the
  // winner's row in its snapshot, so it reads again.
  let [state] = await readState();
  state ??= (await readState())[0];
  if (!state) throw new Error('ferry_server row is missing: the database was not migrated');
  if (state.user_id !== query.userId) return { ok: false, reason: 'client_owned_by_other_user' };

  const spacesHash = hashSpaces(query.spaces);
  const position = query.cursor === null ? undefined : decodeCursor(query.cursor);
  const ours =
    position !== undefined &&
    position.serverId === state.server_id &&
    position.spacesHash === spacesHash;
  let fromVersion = ours ? position.version : 0;
  let reset = query.cursor !== null && !ours;
  let scan = await scanChanges(db, query, fromVersion);
  // Compaction removes tombstones and raises the floor in one transaction, and the scan
  // reads the floor in its own snapshot: a cursor below it may have missed a delete.
  if (fromVersion > 0 && fromVersion < scan.minCursorVersion) {
    fromVersion = 0;
    reset = true;
    scan = await scanChanges(db, query, 0);
  }
  const { rows } = scan;
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const lastVersion = page.length > 0 ? Number(page[page.length - 1]!.version) : fromVersion;
  const cursor = encodeCursor({ serverId: state.server_id, version: lastVersion, spacesHash });

  // A snapshot from the beginning need not carry tombstones: the client starts empty.
  const sent = fromVersion === 0 ? page.filter((r) => r.value !== null) : page;
  const changes = sent.map(
    (r) =>
      `{"space":${JSON.stringify(r.space)},"collection":${JSON.stringify(r.collection)},"key":${JSON.stringify(r.key)},"version":${Number(r.version)},"value":${r.value ?? 'null'}}`,
  );
  const json = `{"changes":[${changes.join(',')}],"cursor":"${cursor}","hasMore":${hasMore},"lastMutationId":${Number(state.last_mutation_id)}${reset ? ',"reset":true' : ''}}`;
  return { ok: true, json, changeCount: sent.length, reset };
}
