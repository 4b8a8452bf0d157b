/**
 * The acceptance suite every `Store` implementation runs with only its own setup:
 *
 *   runStoreAcceptanceTests('memory', async () => ({ store: createMemoryStore() }));
 *
 * `setup` is called once per test and must return an empty store. When the store keeps
 * its data somewhere that outlives the object (a file, IndexedDB), also return `reopen`,
 * which opens the same data again as a new store after the first was closed.
 */
import type { Store } from '@ferry/client';
import { afterEach, describe } from 'vitest';
import type { StoreSetup, StoreTestContext } from './store-fixtures.ts';
import { describeIndexTests } from './store-index-tests.ts';
import { describeLifecycleTests } from './store-lifecycle-tests.ts';
import { describeOutboxAndCommitTests } from './store-outbox-commit-tests.ts';
import { describeRecordTests } from './store-records-tests.ts';

export type { StoreSetup } from './store-fixtures.ts';

export function runStoreAcceptanceTests(name: string, setup: () => Promise<StoreSetup>): void {
  describe(`Store acceptance: ${name}`, () => {
    const opened: Store[] = [];
    const closed = new Set<Store>();
    const context: StoreTestContext = {
      async open() {
        const result = await setup();
        opened.push(result.store);
        return result;
      },
      async close(store) {
        closed.add(store);
        await store.close();
      },
      track(store) {
        opened.push(store);
      },
    };

    afterEach(async () => {
      for (const store of opened.splice(0)) if (!closed.has(store)) await store.close();
      closed.clear();
    });

    describeRecordTests(context);
    describeOutboxAndCommitTests(context);
    describeLifecycleTests(context);
    describeIndexTests(context);
  });
}
