/**
 * W1B, PouchDB: its browser build (`pouchdb/dist/pouchdb.min.js`, loaded before this module,
 * on its default IndexedDB adapter) replicating from the express-pouchdb server.
 */
import type { PageTarget } from './types.ts';

interface BrowserPouch {
  replicate: { from(url: string, options: { batch_size: number }): Promise<unknown> };
  info(): Promise<{ doc_count: number }>;
  close(): Promise<void>;
}

const PouchDB = (globalThis as unknown as { PouchDB: new (name: string) => BrowserPouch }).PouchDB;

window.benchPull = async (target: PageTarget) => {
  const db = new PouchDB(`w1b-${target.space}`);
  const started = performance.now();
  await db.replicate.from(`${target.url}/${encodeURIComponent(target.space)}`, {
    batch_size: 1000,
  });
  const ms = performance.now() - started;
  const { doc_count: count } = await db.info();
  await db.close();
  return { ms, count };
};
