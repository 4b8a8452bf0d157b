/**
 * Reads the changes after a cursor. One range scan of `(space, version)` per space, each
 * stopped at the page size, merged by version: the cost follows the changes returned,
 * not the size of the data set. Stored values are JSON text and go into the response as
 * they are, without being parsed again, written straight into the answer's bytes.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import { changeJson, type StoredChange } from './change-json.ts';
import { decodeCursor, encodeCursor, hashSpaces } from './cursor.ts';
import { jsonListBytes } from './json-bytes.ts';

export interface PullQuery {
  clientId: string;
  userId: string;
  /** Spaces to read: already checked against the user's grant. */
  spaces: readonly string[];
  cursor: string | null;
  limit: number;
}

export type PullOutcome =
  | { ok: true; body: Buffer<ArrayBuffer>; changeCount: number; reset: boolean }
  | { ok: false; reason: 'client_owned_by_other_user' };

interface PullRow {
  /** Set on the head row only. */
  server_id: string | null;
  /** The head version in the statement's snapshot: every change up to it is visible. */
  head_version: string | number;
  /** The cursor is this database's and at or above the compaction floor. */
  resumes: boolean;
  from_version: string | number;
  user_id: string;
  last_mutation_id: string | number;
  space: string | null;
  collection: string | null;
  key: string | null;
  value: string | null;
  version: string | number | null;
}

/**
 * Claims the client id for the user (the first user to use an id owns it) and reads one
 * page of changes, in one statement and so in one snapshot: the client's last mutation id
 * and the changes agree, since a push moves both in one transaction. The page starts at
 * the cursor's version when the cursor is this database's and not below the compaction
 * floor (compaction removes tombstones and raises the floor in one transaction, so an
 * older cursor may have missed a delete), and from the beginning otherwise. One row more
 * than the page is read, to tell whether there is more. One row, the head row, carries the
 * client's and the cursor's state and each other row one change, with nothing else set, so
 * a page does not repeat the same fields a thousand times. When the client row is claimed
 * by a concurrent first pull, the statement cannot see it and returns no row at all.
 *
 * Nothing in the statement sorts whole rows: sorting a page of 1 KB values took PostgreSQL
 * ten times as long as reading it. The rows come in no promised order; `pageRows` finds the
 * head row and puts the changes in version order.
 */
function pullStatement(changes: string): string {
  return prepared(`
  WITH claimed AS (
    INSERT INTO ferry_clients (client_id, user_id) VALUES ($1, $2)
    ON CONFLICT (client_id) DO NOTHING
    RETURNING user_id, last_mutation_id
  ), client AS (
    SELECT user_id, last_mutation_id FROM claimed
    UNION ALL
    SELECT user_id, last_mutation_id FROM ferry_clients WHERE client_id = $1
    LIMIT 1
  ), cursor AS (
    SELECT server_id, head_version,
      server_id = $4 AND $5::bigint >= min_cursor_version AS resumes
    FROM ferry_server WHERE id = 1
  ), start AS (
    SELECT server_id, head_version, resumes,
      CASE WHEN resumes THEN $5::bigint ELSE 0 END AS from_version
    FROM cursor
  ), head AS (
    SELECT st.server_id, st.head_version, st.resumes, st.from_version, cl.user_id,
      cl.last_mutation_id
    FROM start st CROSS JOIN client cl
  )
  SELECT server_id, head_version, resumes, from_version, user_id, last_mutation_id,
    NULL::text AS space, NULL::text AS collection, NULL::text AS key, NULL::text AS value,
    NULL::bigint AS version
  FROM head
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, r.space, r.collection, r.key, r.value, r.version
  FROM head h
  ${changes}`);
}

/** One space: a single range scan of the `(space, version)` index, already in order. */
const PULL_ONE_SPACE_SQL = pullStatement(`CROSS JOIN LATERAL (
    SELECT space, collection, key, value, version FROM ferry_records
    WHERE space = ($3::text[])[1] AND version > h.from_version
    ORDER BY version
    LIMIT $6
  ) r`);

/**
 * Several spaces: a range scan per space, of the index alone, merged by version into the
 * page's (space, version) pairs; only then are those rows read. A pair names one row:
 * every applied write takes the next version of the database (storage/push.ts).
 */
const PULL_SPACES_SQL = pullStatement(`CROSS JOIN LATERAL (
    SELECT p.space, p.version
    FROM unnest($3::text[]) AS s(space)
    CROSS JOIN LATERAL (
      SELECT space, version FROM ferry_records
      WHERE space = s.space AND version > h.from_version
      ORDER BY version
      LIMIT $6
    ) p
    ORDER BY p.version
    LIMIT $6
  ) picked
  JOIN ferry_records r ON r.space = picked.space AND r.version = picked.version`);

type HeadRow = PullRow & { server_id: string };

function isHead(row: PullRow): row is HeadRow {
  return row.server_id !== null;
}

/**
 * The head row, and the changes in version order. They come in that order from both
 * statements, so the sort (a merge sort, linear on sorted input) only checks it.
 */
function pageRows(rows: PullRow[]): { head: HeadRow | undefined; changes: PullRow[] } {
  const head = rows.find(isHead);
  const changes = rows.filter((row) => !isHead(row));
  changes.sort((a, b) => Number(a.version) - Number(b.version));
  return { head, changes };
}

export async function pullChanges(db: Queryable, query: PullQuery): Promise<PullOutcome> {
  const spacesHash = hashSpaces(query.spaces);
  const position = query.cursor === null ? undefined : decodeCursor(query.cursor);
  // A cursor for another set of spaces is not ours; the database's id is checked in SQL.
  const claimed = position?.spacesHash === spacesHash ? position : undefined;
  const read = () =>
    db.query<PullRow>(query.spaces.length === 1 ? PULL_ONE_SPACE_SQL : PULL_SPACES_SQL, [
      query.clientId,
      query.userId,
      query.spaces,
      claimed?.serverId ?? '',
      claimed?.version ?? 0,
      query.limit + 1,
    ]);
  // Two first pulls racing with one new client id: the loser reads again, and sees it.
  let rows = await read();
  if (rows.length === 0) rows = await read();
  const { head: first, changes } = pageRows(rows);
  if (!first) throw new Error('ferry_server row is missing: the database was not migrated');
  if (first.user_id !== query.userId) return { ok: false, reason: 'client_owned_by_other_user' };

  const fromVersion = Number(first.from_version);
  const reset = query.cursor !== null && !first.resumes;
  const hasMore = changes.length > query.limit;
  const page = hasMore ? changes.slice(0, query.limit) : changes;
  // The last page has read everything in these spaces up to the snapshot's head (writers
  // commit in version order), so its cursor stands there: later pulls scan from it, and a
  // poke's changes can follow on from it (events/patch-poke.ts).
  const cursorVersion = hasMore
    ? Number(page[page.length - 1]!.version)
    : Math.max(fromVersion, Number(first.head_version));
  const cursor = encodeCursor({ serverId: first.server_id, version: cursorVersion, spacesHash });

  // A snapshot from the beginning need not carry tombstones: the client starts empty.
  const sent = fromVersion === 0 ? page.filter((r) => r.value !== null) : page;
  const body = jsonListBytes(
    '{"changes":[',
    sent.map((r) => changeJson(r as StoredChange)),
    `],"cursor":"${cursor}","cursorVersion":${cursorVersion},"hasMore":${hasMore},"lastMutationId":${Number(first.last_mutation_id)}${reset ? ',"reset":true' : ''}}`,
  );
  return { ok: true, body, changeCount: sent.length, reset };
}
