/**
 * Reads the changes after a cursor, up to a watermark (storage/watermark.ts): versions
 * above it may belong to writers that commit later than others below them, so a page
 * never goes past it and the last page's cursor stands on it. One range scan of
 * `(space, version)` per space, each stopped at the page size, merged by version: the cost
 * follows the changes returned, not the size of the data set. Stored values are JSON text: the database writes each
 * change's JSON around its value, and the server writes those texts straight into the
 * answer's bytes without parsing them.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import { notMigrated } from '../errors.ts';
import { decodeCursor, encodeCursor, hashSpaces } from './cursor.ts';
import { jsonListBytes } from './json-bytes.ts';
import { readWatermark } from './watermark.ts';

export interface PullQuery {
  clientId: string;
  userId: string;
  /** Spaces to read: already checked against the user's grant. */
  spaces: readonly string[];
  cursor: string | null;
  limit: number;
  /**
   * A watermark read before this pull (the server's latest, events/visibility.ts); when
   * absent the pull reads one first, in a statement of its own.
   */
  watermark?: number | undefined;
}

export type ReadChangesOutcome =
  | {
      ok: true;
      body: Buffer<ArrayBuffer>;
      changeCount: number;
      reset: boolean;
      /** This pull registered the client id: no one had used it before. */
      newClient: boolean;
    }
  | { ok: false; reason: 'client_owned_by_other_user' };

/**
 * A row of the pull statement: the head row (no version) carries the client's and the
 * cursor's state as JSON, and each other row one change, as the wire's JSON text.
 */
interface PullRow {
  version: string | number | null;
  /** A change's JSON; null for a tombstone a snapshot from the beginning leaves out. */
  body: string | null;
}

/** What the head row's JSON says. */
interface PullHead {
  serverId: string;
  /** The watermark the pull read up to: every change up to it is visible. */
  headVersion: number;
  /** The cursor is this database's and at or above the compaction floor. */
  resumes: boolean;
  fromVersion: number;
  userId: string;
  /** The client's last mutation id whose effects are all at or below the watermark. */
  lastMutationId: number;
  /** The statement registered the client id. */
  newClient: boolean;
}

/**
 * Claims the client id for the user (the first user to use an id owns it) and reads one
 * page of changes, in one statement and so in one snapshot: the client's last mutation id
 * and the changes agree, since a push moves both in one transaction. The page starts at
 * the cursor's version when the cursor is this database's and not below the compaction
 * floor (compaction removes tombstones and raises the floor in one transaction, so an
 * older cursor may have missed a delete), and from the beginning otherwise. One row more
 * than the page is read, to tell whether there is more. When the client row is claimed by
 * a concurrent first pull, the statement cannot see it and returns no row at all.
 *
 * The client's last mutation id is the one whose effects are all at or below the watermark
 * ($7): its latest if the version that covers them (`last_version`) is, the one before its
 * latest transaction if not, and 0 (nothing to confirm) if neither is, so that a client
 * never drops a pending write whose effect the page does not hold yet.
 *
 * Every row has two columns. The database writes each change's wire JSON around the stored
 * value itself, so the server copies text into the answer and parses none of it: each
 * column of each row has a cost of its own in the drivers, and on PGlite reading a page as
 * the five columns of a change took about twice as long as reading it as one. A snapshot
 * from the beginning need not carry tombstones, the client starting empty, so theirs is
 * null; their version still places the page's end.
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
    SELECT user_id, last_mutation_id, true AS new_client FROM claimed
    UNION ALL
    SELECT user_id, CASE WHEN last_version <= $7::bigint THEN last_mutation_id
        WHEN prev_version <= $7::bigint THEN prev_mutation_id ELSE 0 END, false
    FROM ferry_clients WHERE client_id = $1
    LIMIT 1
  ), cursor AS (
    SELECT server_id, $7::bigint AS head_version,
      server_id = $4 AND $5::bigint >= min_cursor_version AS resumes
    FROM ferry_server WHERE id = 1
  ), head AS (
    SELECT cu.server_id, cu.head_version, cu.resumes,
      CASE WHEN cu.resumes THEN $5::bigint ELSE 0 END AS from_version,
      cl.user_id, cl.last_mutation_id, cl.new_client
    FROM cursor cu CROSS JOIN client cl
  )
  SELECT NULL::bigint AS version, json_build_object('serverId', server_id,
    'headVersion', head_version, 'resumes', resumes, 'fromVersion', from_version,
    'userId', user_id, 'lastMutationId', last_mutation_id, 'newClient', new_client)::text AS body
  FROM head
  UNION ALL
  SELECT r.version, CASE WHEN r.value IS NULL AND h.from_version = 0 THEN NULL
    ELSE '{"space":' || to_json(r.space)::text || ',"collection":' || to_json(r.collection)::text
      || ',"key":' || to_json(r.key)::text || ',"version":' || r.version
      || ',"value":' || coalesce(r.value, 'null') || '}'
    END
  FROM head h
  ${changes}`);
}

/** One space: a single range scan of the `(space, version)` index, already in order. */
export const PULL_ONE_SPACE_SQL = pullStatement(`CROSS JOIN LATERAL (
    SELECT space, collection, key, value, version FROM ferry_records
    WHERE space = ($3::text[])[1] AND version > h.from_version AND version <= h.head_version
    ORDER BY version
    LIMIT $6
  ) r`);

/**
 * Several spaces: a range scan per space, of the index alone, merged by version into the
 * page's (space, version) pairs; only then are those rows read. A pair names one row:
 * every applied write takes a version of its own (storage/commit-batch.ts).
 */
export const PULL_SPACES_SQL = pullStatement(`CROSS JOIN LATERAL (
    SELECT p.space, p.version
    FROM unnest($3::text[]) AS s(space)
    CROSS JOIN LATERAL (
      SELECT space, version FROM ferry_records
      WHERE space = s.space AND version > h.from_version AND version <= h.head_version
      ORDER BY version
      LIMIT $6
    ) p
    ORDER BY p.version
    LIMIT $6
  ) picked
  JOIN ferry_records r ON r.space = picked.space AND r.version = picked.version`);

/**
 * How far `remaining` is counted. The count is an index-only range scan (about 1 ms per
 * 10,000 entries on PostgreSQL, against about 3 ms to read a page of 1,000 small records),
 * so the first page of a snapshot from the beginning, which starts a long sync once, counts
 * far; every later page counts only the next few pages, and a client keeps the first
 * count going down as it pulls (see the client's pull.ts).
 */
export const REMAINING_COUNT_CAPS = { snapshotStart: 1_000_000, pagesAhead: 10 } as const;

/**
 * The changes after `version` in the spaces, counted on the `(space, version)` index and
 * stopped at the cap. A separate statement, run only when there is more to read: it may see
 * commits made since the page was read, which is fine for an estimate.
 *
 * The `ORDER BY` keeps the count on the index. Without it, the generic plan a prepared
 * statement settles on guesses that a third of the space lies after the unknown version and
 * reads the table from the start instead, stopping at the cap: 80 ms a page at 1,000,000
 * records, against about 3 ms on the index.
 */
export const REMAINING_SQL = prepared(`
  SELECT count(*)::int AS n FROM (
    SELECT 1 FROM unnest($1::text[]) AS s(space)
    CROSS JOIN LATERAL (
      SELECT 1 FROM ferry_records WHERE space = s.space AND version > $2
      ORDER BY version LIMIT $3
    ) r
    LIMIT $3
  ) counted`);

async function countRemaining(
  db: Queryable,
  spaces: readonly string[],
  afterVersion: number,
  cap: number,
): Promise<number> {
  const [row] = await db.query<{ n: number }>(REMAINING_SQL, [spaces, afterVersion, cap]);
  return row?.n ?? 0;
}

/**
 * The head, and the changes in version order. They come in that order from both
 * statements, so the sort (a merge sort, linear on sorted input) only checks it.
 */
function pageRows(rows: PullRow[]): { head: PullHead | undefined; changes: PullRow[] } {
  const headRow = rows.find((row) => row.version === null);
  const changes = rows.filter((row) => row.version !== null);
  changes.sort((a, b) => Number(a.version) - Number(b.version));
  return { head: headRow && (JSON.parse(headRow.body!) as PullHead), changes };
}

export async function readChanges(db: Queryable, query: PullQuery): Promise<ReadChangesOutcome> {
  const spacesHash = hashSpaces(query.spaces);
  const position = query.cursor === null ? undefined : decodeCursor(query.cursor);
  // A cursor for another set of spaces is not ours; the database's id is checked in SQL.
  const claimed = position?.spacesHash === spacesHash ? position : undefined;
  const watermark = query.watermark ?? (await readWatermark(db));
  const read = () =>
    db.query<PullRow>(query.spaces.length === 1 ? PULL_ONE_SPACE_SQL : PULL_SPACES_SQL, [
      query.clientId,
      query.userId,
      query.spaces,
      claimed?.serverId ?? '',
      claimed?.version ?? 0,
      query.limit + 1,
      watermark,
    ]);
  // Two first pulls racing with one new client id: the loser reads again, and sees it.
  let rows = await read();
  if (rows.length === 0) rows = await read();
  const { head, changes } = pageRows(rows);
  if (!head) throw notMigrated('ferry_server');
  if (head.userId !== query.userId) return { ok: false, reason: 'client_owned_by_other_user' };

  const reset = query.cursor !== null && !head.resumes;
  const hasMore = changes.length > query.limit;
  const page = hasMore ? changes.slice(0, query.limit) : changes;
  // The last page has read everything in these spaces up to the watermark (nothing at or
  // below it can still commit), so its cursor stands there: later pulls scan from it, and a
  // poke's changes can follow on from it (events/patch-poke.ts).
  const cursorVersion = hasMore
    ? Number(page[page.length - 1]!.version)
    : Math.max(head.fromVersion, head.headVersion);
  const cursor = encodeCursor({ serverId: head.serverId, version: cursorVersion, spacesHash });
  // Only while there is more: the last page, the one a live client reads, costs no count.
  const cap =
    head.fromVersion === 0
      ? REMAINING_COUNT_CAPS.snapshotStart
      : REMAINING_COUNT_CAPS.pagesAhead * query.limit;
  const remaining = hasMore
    ? `,"remaining":${await countRemaining(db, query.spaces, cursorVersion, cap)}`
    : '';

  const sent = page.flatMap((row) => (row.body === null ? [] : [row.body]));
  const body = jsonListBytes(
    '{"changes":[',
    sent,
    `],"cursor":"${cursor}","cursorVersion":${cursorVersion},"hasMore":${hasMore}${remaining},"lastMutationId":${head.lastMutationId}${reset ? ',"reset":true' : ''}}`,
  );
  return { ok: true, body, changeCount: sent.length, reset, newClient: head.newClient };
}
