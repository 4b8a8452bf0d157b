/**
 * The errors of the browser package. Like the client's, each is a named `Error` subclass
 * whose message says what went wrong and how to fix it, with a stable `code` and a
 * `userMessage` a person can read (a status's `lastError` carries both). A store used
 * after its own `close()` rejects with the client's `FerryClosedError`, as every store
 * does; the classes here cover what only a browser does to a store behind its back, and
 * running one sync leader across the contexts of an app.
 */

/**
 * A commit of a claimed store view was refused because another tab, worker or the service
 * worker claimed the store since: nothing of the batch was written.
 */
export class FerryLeadershipLostError extends Error {
  override readonly name = 'FerryLeadershipLostError';
  readonly code = 'leadership_lost';
  readonly userMessage = 'Syncing moved to another tab of this app';

  constructor(databaseName: string) {
    super(
      `Another tab or worker took over syncing the IndexedDB store "${databaseName}", so this one stopped writing; nothing of the refused batch was written. This is expected when leadership moves; the new leader carries on from the saved state.`,
    );
  }
}

/** The browser refused a write for lack of space (a `QuotaExceededError`). */
export class FerryStorageFullError extends Error {
  override readonly name = 'FerryStorageFullError';
  readonly code = 'storage_full';
  readonly userMessage = 'This device is out of storage space — free some to keep saving';

  constructor(databaseName: string, options?: { cause?: unknown }) {
    super(
      `Storage is full: the browser refused to write to the IndexedDB store "${databaseName}" (quota exceeded); nothing of the batch was written. Free space on the device, clear other site data, or call navigator.storage.persist() so the browser grants this origin more room.`,
      options,
    );
  }
}

/** Why the browser took the connection away. */
export type DatabaseClosedReason = 'versionchange' | 'browser';

/**
 * The IndexedDB connection was closed by something other than `close()`: another tab
 * deleted or upgraded the database (the store closed its connection so that could go
 * ahead), or the browser closed it (site data cleared, storage failure).
 */
export class FerryDatabaseClosedError extends Error {
  override readonly name = 'FerryDatabaseClosedError';
  readonly code = 'database_closed';
  readonly userMessage = "This app's saved data was closed — reload the page";
  readonly reason: DatabaseClosedReason;

  constructor(databaseName: string, reason: DatabaseClosedReason) {
    super(
      reason === 'versionchange'
        ? `The IndexedDB store "${databaseName}" was deleted or upgraded from another tab or worker (a versionchange), so this connection was closed to let that go ahead. Open the store again (usually: reload the page) to keep using the data.`
        : `The browser closed the IndexedDB store "${databaseName}" (site data was cleared or storage failed). Open the store again (usually: reload the page) to keep using the data.`,
    );
    this.reason = reason;
  }
}

/** Opening or deleting the database stayed blocked by connections in other tabs. */
export class FerryStoreBlockedError extends Error {
  override readonly name = 'FerryStoreBlockedError';
  readonly code = 'store_blocked';
  readonly userMessage = "Close this app's other tabs, then try again";

  constructor(databaseName: string, action: 'open' | 'delete', waitedMs: number) {
    super(
      `Could not ${action} the IndexedDB store "${databaseName}": another tab or worker still has it open after ${waitedMs} ms. Close (or reload) the app's other tabs and try again.`,
    );
  }
}

/** The database was written by a newer version of Ferry than this one. */
export class FerryStoreVersionError extends Error {
  override readonly name = 'FerryStoreVersionError';
  readonly code = 'store_version';
  readonly userMessage = 'This app needs an update — reload the page';

  constructor(databaseName: string, options?: { cause?: unknown }) {
    super(
      `The IndexedDB store "${databaseName}" was written by a newer version of Ferry; upgrade @ferry/browser (reload the app) to open it.`,
      options,
    );
  }
}

/** No context answered for the store: nothing hosts its engine, or the leader is frozen. */
export class FerryLeaderUnavailableError extends Error {
  override readonly name = 'FerryLeaderUnavailableError';
  readonly code = 'leader_unavailable';
  readonly userMessage = 'Sync is not responding — reload the page';

  constructor(storeName: string, waitedMs: number) {
    super(
      `No context answered for the Ferry store "${storeName}" within ${waitedMs} ms. Make sure a page or worker calls hostFerry() (openFerry() does) for this store.`,
    );
  }
}
