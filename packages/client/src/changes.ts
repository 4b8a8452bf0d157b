/** What a commit changed, so that views and subscriptions know whether to refresh. */
import type { RecordAddress } from './store.ts';

export type ChangeCause =
  /** A local put, patch or delete. */
  | 'write'
  /** Pulled server changes (or ones a poke carried), and outbox entries a pull confirmed. */
  | 'pull'
  /** Rejected mutations were dropped from the outbox and their effect rolled back. */
  | 'rejection'
  /** The server could not serve the cursor: base records of whole spaces were replaced. */
  | 'reset';

export interface CollectionRef {
  space: string;
  collection: string;
}

export interface ChangeEvent {
  cause: ChangeCause;
  /** Collections whose rows may have changed. */
  collections: CollectionRef[];
  /** Spaces whose every collection may have changed ('all': every space); usually empty. */
  spaces: readonly string[] | 'all';
  /**
   * When present, the only records of `collections` that changed, so a view can read just
   * those again. Absent when too many changed for that to be worth it.
   */
  records?: readonly RecordAddress[];
}

/** Changes naming at most this many records carry them (`ChangeEvent.records`). */
export const MAX_NAMED_RECORDS = 64;

/** The addresses of some records or mutations, or undefined when there are too many to name. */
export function namedRecords(items: readonly RecordAddress[]): RecordAddress[] | undefined {
  if (items.length > MAX_NAMED_RECORDS) return undefined;
  return items.map(({ space, collection, key }) => ({ space, collection, key }));
}

export function changeAffects(event: ChangeEvent, space: string, collection: string): boolean {
  if (event.spaces === 'all' || event.spaces.includes(space)) return true;
  return event.collections.some((c) => c.space === space && c.collection === collection);
}

/** The distinct collections of some records or mutations. */
export function collectionsOf(items: Iterable<CollectionRef>): CollectionRef[] {
  const seen = new Map<string, CollectionRef>();
  for (const { space, collection } of items) {
    // Names cannot contain U+0000, so it separates them unambiguously.
    seen.set(`${space}\u0000${collection}`, { space, collection });
  }
  return [...seen.values()];
}
