/**
 * What a poke can carry of a small commit, so that a client already up to date in the
 * commit's spaces applies it from the event stream instead of pulling it (one round trip,
 * and one pull per listening client, saved).
 *
 * The client may do so only if its cursor has seen every change in its spaces made before
 * the commit. That is known in the commit's transaction, which holds the lock that orders
 * all writers: for each space the streams listen to, the highest version among the records
 * the commit did not write, read by the batch's write statement (batch-writes.ts). Records
 * the commit overwrote are not counted, as a pull would not send their older states either.
 */
import type { Bases } from './batch-writes.ts';
import type { StoredChange } from './change-json.ts';
import type { RecordAddress, RecordState } from './records.ts';

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
  bases: Bases;
}

/**
 * The batch's changes in version order, or undefined when they are too many or too large
 * to travel in pokes. `dirty` names each address the batch wrote; `records` holds its state.
 */
export function pokeChangesOf(
  dirty: ReadonlyMap<string, RecordAddress>,
  records: ReadonlyMap<string, RecordState>,
): PatchChange[] | undefined {
  if (dirty.size === 0 || dirty.size > MAX_PATCH_CHANGES) return undefined;
  let bytes = 0;
  const changes = [...dirty.entries()].map(([address, { space, collection, key }]) => {
    const { text, version } = records.get(address)!;
    bytes += (text?.length ?? 4) + key.length + collection.length;
    return { space, collection, key, version, value: text };
  });
  if (bytes > MAX_PATCH_BYTES) return undefined;
  return changes.sort((a, b) => a.version - b.version);
}
