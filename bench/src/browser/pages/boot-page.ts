/**
 * BOOT, the page: `openFerry` with the engine in a dedicated worker (`boot-worker.ts`) or in
 * this page, timed until its first sync is over. The long-task observer is installed by the
 * HTML before this module loads.
 */
import { openFerry } from '@ferry/browser';
import type { PageTarget } from './types.ts';

window.benchBoot = async (target: PageTarget, inWorker: boolean) => {
  const name = `boot-${target.space}`;
  const options = {
    name,
    url: target.url,
    getToken: () => target.credential,
    spaces: [target.space],
    defaultSpace: target.space,
  };
  const startedAt = performance.now();
  let client: ReturnType<typeof openFerry>;
  if (inWorker) {
    const params = new URLSearchParams({ name, ...target });
    const worker = new Worker(`/boot-worker.js?${params}`, { type: 'module' });
    client = openFerry({ ...options, worker });
  } else {
    client = openFerry(options);
  }
  await client.sync();
  const endedAt = performance.now();
  await client.close();
  // Counted afterwards, straight from IndexedDB (outside the measured window).
  const { openIndexedDbStore } = await import('@ferry/browser');
  const store = await openIndexedDbStore({ name });
  const count = (await store.listRecords(target.space, 'items')).length;
  await store.close();
  return { startedAt, endedAt, count };
};
