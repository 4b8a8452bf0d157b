/** Errors of running one sync leader across the contexts of an app. */

/** No context answered for the store: nothing hosts its engine, or the leader is frozen. */
export class FerryLeaderUnavailableError extends Error {
  override readonly name = 'FerryLeaderUnavailableError';
  readonly code = 'leader_unavailable';

  constructor(storeName: string, waitedMs: number) {
    super(
      `No context answered for the Ferry store "${storeName}" within ${waitedMs} ms. Make sure a page or worker calls hostFerry() (openFerry() does) for this store.`,
    );
  }
}
