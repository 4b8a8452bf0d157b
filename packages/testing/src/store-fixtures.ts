/** Shared fixtures of the store acceptance suite. */
import type { OutboxEntry, Store, StoredRecord } from '@ferry/client';
import type { MutationId, SpaceId } from '@ferry/protocol';

export interface StoreSetup {
  store: Store;
  reopen?: () => Promise<Store>;
}

/** What each group of acceptance tests gets from the suite. */
export interface StoreTestContext {
  /** A fresh store from the implementation's setup; closed after the test. */
  open(): Promise<StoreSetup>;
  /** Closes a store inside a test (it is then not closed again afterwards). */
  close(store: Store): Promise<void>;
  /** Closes this store after the test too. */
  track(store: Store): void;
}

export function record(
  space: string,
  collection: string,
  key: string,
  value: StoredRecord['value'] = { key },
  version = 1,
): StoredRecord {
  return { space, collection, key, value, version };
}

export function put(id: number, key = `k${id}`, space = 's1'): OutboxEntry {
  return {
    id: id as MutationId,
    space: space as SpaceId,
    collection: 'todos',
    key,
    op: 'put',
    value: { n: id },
  };
}

export const keysOf = (records: readonly { key: string }[]) => records.map((r) => r.key);
export const idsOf = (entries: readonly OutboxEntry[]) => entries.map((e) => e.id);
