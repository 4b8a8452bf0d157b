/**
 * Ferry's `Store` on SQLite, one implementation for every driver: `openSyncSqliteStore` for
 * a synchronous driver (better-sqlite3, in `@ferry/node`), `openAsyncSqliteStore` for an
 * asynchronous one (expo-sqlite, op-sqlite, in `@ferry/react-native`). One file holds the
 * client's records, outbox and metadata; each `commit` is one transaction, so after a crash
 * either the whole batch is there or none of it.
 *
 * Other programs may read the file while a client writes it (in WAL mode readers and one
 * writer work at once): `ferry_records(id, space, collection, key, version, value)` holds the
 * server's records as JSON text. One client writes a file at a time.
 */
import { FerryClosedError, type IndexDefinition, type Store } from '@ferry/client';
import { sameDefinitions } from '@ferry/client/internal';
import type { AsyncSqliteExecutor, SyncSqliteExecutor } from './executor.ts';
import * as ix from './indexes.ts';
import * as op from './operations.ts';
import { migrate } from './schema.ts';
import { exec, runAsync, runSync, type Work } from './work.ts';

export interface SqliteStoreSettings {
  /**
   * Open for reading only: no schema changes, no pragmas that write, and `commit` rejects.
   * The executor must be read-only itself.
   */
  readonly?: boolean;
  /**
   * The durability of a commit, set with `PRAGMA synchronous` on the executor's connection.
   * 'full' (default): a commit that returned survives a power cut. 'normal': it survives a
   * crash of the process, but the last commits may be lost if the device loses power.
   */
  synchronous?: 'full' | 'normal';
  /** How long a statement waits for a lock another connection holds; default 5000 ms. */
  busyTimeoutMs?: number;
  /** How errors name the store, such as its path; default "this store". */
  name?: string;
  /** The package to upgrade when the file was written by a newer Ferry; default "Ferry". */
  upgradeHint?: string;
}

/** The statements that set up a connection: the lock wait, then WAL and durability unless read-only. */
function* setUp(settings: SqliteStoreSettings): Work<void> {
  yield exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs ?? 5000))}`);
  if (settings.readonly) return;
  yield exec('PRAGMA journal_mode = WAL');
  yield exec(`PRAGMA synchronous = ${settings.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
}

/** The parts both kinds of store share, given how each runs a piece of work. */
function storeOver(
  settings: SqliteStoreSettings,
  read: <T>(work: Work<T>) => Promise<T>,
  write: (work: Work<void>) => Promise<void>,
  closeExecutor: () => Promise<void>,
  stored: IndexDefinition[],
): Store {
  let closed = false;
  // The declarations as stored; commits compute index entries with them.
  let indexes = stored;
  const open = () => {
    if (closed) throw new FerryClosedError('store');
  };
  return {
    async getRecord(address) {
      open();
      return read(op.getRecord(address));
    },
    async listRecords(space, collection) {
      open();
      return read(op.listRecords(space, collection));
    },
    async getRecords(space, collection, keys) {
      open();
      return read(op.getRecords(space, collection, keys));
    },
    async defineIndexes(wanted) {
      open();
      if (sameDefinitions(indexes, wanted)) return;
      if (settings.readonly) {
        throw new Error(
          `The store at ${settings.name ?? 'this store'} was opened read-only and keeps other indexes than those declared.`,
        );
      }
      const copy = wanted.map((d) => ({ ...d, fields: [...d.fields] }));
      await write(ix.defineIndexes(copy));
      indexes = copy;
    },
    async scanIndex(scan, order, limit) {
      open();
      ix.checkDeclared(indexes, scan);
      return read(ix.scanIndex(scan, order, limit));
    },
    async countIndex(scan) {
      open();
      ix.checkDeclared(indexes, scan);
      return read(ix.countIndex(scan));
    },
    async listOutbox() {
      open();
      return read(op.listOutbox());
    },
    async getMeta(key) {
      open();
      return read(op.getMeta(key));
    },
    async commit(batch) {
      open();
      if (settings.readonly) {
        throw new Error(`The store at ${settings.name ?? 'this store'} was opened read-only.`);
      }
      await write(op.commit(batch, indexes));
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeExecutor();
    },
  };
}

/**
 * A store on a synchronous driver. Every call completes before it returns, so the store
 * needs no queue of its own; `commit` is one `BEGIN IMMEDIATE` transaction. The store owns
 * the executor: `close()` closes it, and so does a failure to open.
 */
export function openSyncSqliteStore(
  executor: SyncSqliteExecutor,
  settings: SqliteStoreSettings = {},
): Store {
  let stored: IndexDefinition[];
  try {
    runSync(executor, setUp(settings));
    const hint = settings.upgradeHint ?? 'Ferry';
    if (!settings.readonly) executor.transaction(() => runSync(executor, migrate(hint)));
    stored = runSync(executor, ix.readDefinitions());
  } catch (error) {
    executor.close();
    throw error;
  }
  return storeOver(
    settings,
    async (work) => runSync(executor, work),
    async (work) => {
      executor.transaction(() => runSync(executor, work));
    },
    async () => executor.close(),
    stored,
  );
}

/**
 * A store on an asynchronous driver. Its reads and commits run one at a time, in the order
 * they were called, so a read never sees half a commit and commits never interleave;
 * `close` waits for the calls already made. The store owns the executor: `close()` closes
 * it, and so does a failure to open.
 */
export async function openAsyncSqliteStore(
  executor: AsyncSqliteExecutor,
  settings: SqliteStoreSettings = {},
): Promise<Store> {
  let stored: IndexDefinition[];
  try {
    await runAsync(executor, setUp(settings));
    const hint = settings.upgradeHint ?? 'Ferry';
    if (!settings.readonly) await executor.transaction((tx) => runAsync(tx, migrate(hint)));
    stored = await runAsync(executor, ix.readDefinitions());
  } catch (error) {
    await executor.close();
    throw error;
  }
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task);
    queue = result.catch(() => {});
    return result;
  };
  return storeOver(
    settings,
    (work) => serially(() => runAsync(executor, work)),
    (work) => serially(() => executor.transaction((tx) => runAsync(tx, work))),
    () => serially(() => executor.close()),
    stored,
  );
}
