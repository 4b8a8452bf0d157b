/**
 * What a poke can carry of a small commit, so that a client already up to date in the
 * commit's spaces applies it from the event stream instead of pulling it (one round trip,
 * and one pull per listening client, saved).
 *
 * The client may do so only if its cursor has seen every change in its spaces made before
 * the commit. That is known here, in the commit's transaction, which holds the lock that
 * orders all writers: for each space the streams listen to, the highest version among the
 * records the commit did not write. Records the commit overwrote are not counted, as a pull
 * would not send their older states either.
 */
import { prepared, type Queryable } from '../db/driver.ts';
import type { StoredChange } from './change-json.ts';

/** Commits larger than this are announced with a plain poke; the clients pull them. */
export const MAX_PATCH_CHANGES = 100;
export const MAX_PATCH_BYTES = 32 * 1024;

export interface PatchChange extends StoredChange {
  version: number;
}

export interface CommitPatch {
  /** The database's id, for the cursors the pokes hand out. */
  serverId: string;
  /** Every change of the commit, in version order. */
  changes: PatchChange[];
  /**
   * For each space asked about: the highest version of its records from before the commit
   * (0 when it has none). A space not in the map was not asked about: no patch for it.
   */
  bases: Map<string, number>;
}

/**
 * Never below the compaction floor: a cursor under it may have missed a deletion whose
 * tombstone is gone, and must pull (and be reset) rather than take the poke's changes.
 */
const BASES_SQL = prepared(`
  SELECT s.space, GREATEST(
    (SELECT max(r.version) FROM ferry_records r WHERE r.space = s.space AND r.version <= $2),
    (SELECT min_cursor_version FROM ferry_server WHERE id = 1)) AS base
  FROM unnest($1::text[]) AS s(space)`);

/** Whether the commit is small enough to travel in pokes. */
export function fitsInPoke(changes: readonly PatchChange[]): boolean {
  if (changes.length === 0 || changes.length > MAX_PATCH_CHANGES) return false;
  let bytes = 0;
  for (const c of changes) bytes += (c.value?.length ?? 4) + c.key.length + c.collection.length;
  return bytes <= MAX_PATCH_BYTES;
}

/**
 * Reads the bases of `spaces` inside the commit's transaction, after its writes: versions
 * up to `startVersion` are exactly the records the commit left alone.
 */
export async function readCommitPatch(
  db: Queryable,
  input: { serverId: string; startVersion: number; changes: PatchChange[]; spaces: string[] },
): Promise<CommitPatch> {
  const rows = await db.query<{ space: string; base: string | number | null }>(BASES_SQL, [
    input.spaces,
    input.startVersion,
  ]);
  const bases = new Map<string, number>();
  for (const row of rows) bases.set(row.space, Number(row.base ?? 0));
  return { serverId: input.serverId, changes: input.changes, bases };
}
