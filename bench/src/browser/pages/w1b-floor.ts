/**
 * W1B, the floor: the same pages fetched with `fetch` + `JSON.parse`, each bulk-put into raw
 * IndexedDB in one transaction, the next page's request already out while a page is written.
 * Nothing else.
 */
import type { PageTarget } from './types.ts';

const PAGE = 1000;

interface FloorPage {
  changes: { key: string; version: number; value: unknown }[];
  next: number;
  hasMore: boolean;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

window.benchPull = async (target: PageTarget) => {
  const open = indexedDB.open(`floor-${target.space}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('records', { keyPath: 'key' });
  const db = await request(open);
  const fetchPage = async (since: number): Promise<FloorPage> => {
    const response = await fetch(`${target.url}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ space: target.space, since, limit: PAGE }),
    });
    if (!response.ok) throw new Error(`floor pull answered ${response.status}`);
    return JSON.parse(await response.text()) as FloorPage;
  };
  const started = performance.now();
  let page = await fetchPage(0);
  for (;;) {
    const next = page.hasMore ? fetchPage(page.next) : undefined;
    const tx = db.transaction('records', 'readwrite');
    const records = tx.objectStore('records');
    for (const change of page.changes) records.put(change);
    await done(tx);
    if (!next) break;
    page = await next;
  }
  const ms = performance.now() - started;
  const count = await request(db.transaction('records').objectStore('records').count());
  db.close();
  return { ms, count };
};
