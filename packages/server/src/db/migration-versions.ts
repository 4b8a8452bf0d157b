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
  // A push batch's reservation, then its versions, in that order: the floor is read, the
  // locks that show it are taken, the watermark is read if asked (for poke patches), and
  // only then are versions drawn. Returns the floor, that watermark and the versions.
  // \`after\` is not used: the batch passes a count of the rows it has locked, so that the
  // call waits for those locks and a record's versions rise in the order its writers commit.
  `CREATE FUNCTION ferry_reserve(draws integer, want_watermark boolean, after bigint)
RETURNS TABLE (floor_version bigint, seen bigint, versions text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  space_id integer;
BEGIN
  SELECT s.lock_space INTO space_id FROM ferry_server s WHERE s.id = 1;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT last_value INTO floor_version FROM ferry_versions;
  PERFORM pg_advisory_xact_lock_shared(space_id, 0);
  PERFORM pg_advisory_xact_lock_shared(floor_version);
  IF want_watermark THEN
    seen := ferry_watermark();
  END IF;
  SELECT array_to_string(array_agg(nextval('ferry_versions')), ',') INTO versions
  FROM generate_series(1, draws);
  RETURN NEXT;
END $$`,
];
