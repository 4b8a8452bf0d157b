/**
 * Migration 7: versions come from a sequence, and readers stop below the oldest writer still
 * holding versions, instead of every writer locking one row (`ferry_server.head_version`)
 * for its whole transaction. A released migration is never edited: change these functions
 * with a new migration that replaces them.
 *
 * A writer reserves before it takes versions: it reads the sequence's last value (its
 * floor: every version it takes will be above it) and holds two shared advisory locks until
 * its transaction ends, a marker `(lock_space, 0)` naming it as a writer of this schema and
 * the floor itself as a 64-bit key. Shared locks never wait for each other, so writers do
 * not queue behind one another; the locks are only there to be seen in `pg_locks`.
 *
 * `ferry_watermark()` is the highest version a reader may read up to: the sequence's last
 * value, read first, capped by the lowest floor among writers that still hold their locks,
 * read second. Every version at or below it was taken before the first read, by a writer
 * that either still held its locks at the second read (then its floor, and so the watermark,
 * is below its versions) or had ended: PostgreSQL releases a transaction's locks only after
 * its commit is visible, so a snapshot taken after the call sees it. A watermark stays
 * valid for every later snapshot, and a later call never returns less.
 *
 * Existing versions and cursors stay valid: the sequence starts at the old head version,
 * and `head_version` is dropped so that a replica still running the locking code fails
 * instead of numbering versions of its own beside the sequence.
 */

export const VERSIONS_WITHOUT_LOCK: readonly string[] = [
  'CREATE SEQUENCE ferry_versions AS bigint MINVALUE 0 START 0',
  `SELECT setval('ferry_versions', (SELECT head_version FROM ferry_server WHERE id = 1), true)`,
  'ALTER TABLE ferry_server DROP COLUMN head_version',
  // Names this schema's writers among the database's advisory locks.
  `ALTER TABLE ferry_server ADD COLUMN lock_space integer NOT NULL
    DEFAULT (1 + floor(random() * 2147483646))::integer`,
  // For a pull's lastMutationId: the version that covers the effects of every mutation up to
  // last_mutation_id, and the same pair as it was before the client's latest transaction.
  `ALTER TABLE ferry_clients
    ADD COLUMN last_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN prev_mutation_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN prev_version bigint NOT NULL DEFAULT 0`,
  `CREATE FUNCTION ferry_watermark() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_taken bigint;
  lowest_floor bigint;
BEGIN
  SELECT last_value INTO last_taken FROM ferry_versions;
  WITH held AS MATERIALIZED (
    SELECT l.virtualtransaction, l.classid, l.objid, l.objsubid FROM pg_locks l
    WHERE l.locktype = 'advisory'
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.pid IS DISTINCT FROM pg_backend_pid()
  )
  SELECT min((f.classid::bigint << 32) | f.objid::bigint) INTO lowest_floor
  FROM held f JOIN held m ON m.virtualtransaction = f.virtualtransaction
  WHERE f.objsubid = 1 AND m.objsubid = 2 AND m.objid = 0
    AND m.classid = (SELECT s.lock_space FROM ferry_server s WHERE s.id = 1)::oid;
  RETURN least(last_taken, lowest_floor);
END $$`,
  // A push batch's reads, in order, each statement with a fresh snapshot: the reservation,
  // the client ids claimed and locked in id order, a placeholder row (version 0, no value)
  // for each record that does not exist yet so that it can be locked too, the records
  // locked in address order, and only then the versions. Writers lock clients before
  // records, each in one order, so they never deadlock one another, and a record's versions
  // rise in the order its writers commit.
  `CREATE FUNCTION ferry_read_batch(
  client_ids text[], user_ids text[], spaces text[], collections text[], keys text[],
  draws integer, want_watermark boolean)
RETURNS TABLE (kind text, a text, b text, c text, value text, n bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  space_id integer;
  database_id text;
  floor_version bigint;
  seen bigint;
  versions bigint[];
  new_ids text[];
BEGIN
  SELECT s.lock_space, s.server_id INTO space_id, database_id FROM ferry_server s WHERE s.id = 1;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT last_value INTO floor_version FROM ferry_versions;
  PERFORM pg_advisory_xact_lock_shared(space_id, 0);
  PERFORM pg_advisory_xact_lock_shared(floor_version);
  IF want_watermark THEN
    seen := ferry_watermark();
  END IF;
  WITH claimed AS (
    INSERT INTO ferry_clients (client_id, user_id)
    SELECT * FROM unnest(client_ids, user_ids)
    ON CONFLICT (client_id) DO NOTHING
    RETURNING client_id
  )
  SELECT array_agg(claimed.client_id) INTO new_ids FROM claimed;
  RETURN QUERY
  SELECT CASE WHEN f.client_id = ANY(new_ids) THEN 'n' ELSE 'c' END, f.client_id, f.user_id,
    NULL::text, NULL::text, f.last_mutation_id
  FROM ferry_clients f WHERE f.client_id = ANY(client_ids)
  ORDER BY f.client_id FOR UPDATE;
  INSERT INTO ferry_records (space, collection, key, value, version)
  SELECT w.space, w.collection, w.key, NULL, 0
  FROM unnest(spaces, collections, keys) AS w(space, collection, key)
  ORDER BY 1, 2, 3
  ON CONFLICT (space, collection, key) DO NOTHING;
  RETURN QUERY
  SELECT 'r'::text, r.space, r.collection, r.key, r.value, r.version
  FROM ferry_records r
  JOIN unnest(spaces, collections, keys) AS w(space, collection, key)
    ON r.space = w.space AND r.collection = w.collection AND r.key = w.key
  ORDER BY r.space, r.collection, r.key FOR UPDATE OF r;
  SELECT coalesce(array_agg(nextval('ferry_versions')), '{}') INTO versions
  FROM generate_series(1, draws);
  RETURN QUERY
  SELECT 's'::text, database_id, floor_version::text, seen::text,
    array_to_string(versions, ','), NULL::bigint;
END $$`,
];
