/** W1B, Ferry: `createClient` on the IndexedDB store, one `sync()` from empty. */
import { openIndexedDbStore } from '@ferry/browser';
import { createClient } from '@ferry/client';
import type { PageTarget } from './types.ts';

window.benchPull = async (target: PageTarget) => {
  const store = await openIndexedDbStore({ name: `w1b-${target.space}` });
  const client = createClient({
    url: target.url,
    store,
    getToken: () => target.credential,
    spaces: [target.space],
    defaultSpace: target.space,
  });
  const started = performance.now();
  await client.sync();
  const ms = performance.now() - started;
  await client.close();
  const count = (await store.listRecords(target.space, 'items')).length;
  await store.close();
  return { ms, count };
};
