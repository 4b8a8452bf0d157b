/**
 * The network and the disk as a simulated process sees them. Requests take simulated time,
 * fail while the simulated network is down, and honour abort signals; after a crash, the
 * dead process's requests and store calls never settle, as if the process had vanished
 * mid-call (a request already sent may still have reached the server).
 */
import type { Store } from '@ferry/client';

export interface ProcessView {
  /** True while the process that wrapped the object has not crashed. */
  alive(): boolean;
  online(): boolean;
  latencyMs(): number;
  /** Waits `ms` of simulated time; rejects with `signal.reason` if the signal aborts first. */
  sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void>;
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function offlineError(): TypeError {
  return new TypeError('fetch failed: the simulated network is offline');
}

export function simulatedFetch(inner: typeof fetch, view: ProcessView): typeof fetch {
  return async (input, init) => {
    if (!view.alive()) return never();
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) throw signal.reason;
    if (!view.online()) throw offlineError();
    await view.sleep(view.latencyMs(), signal);
    if (!view.alive()) return never();
    if (!view.online()) throw offlineError();
    const response = await inner(input, init);
    if (!view.alive()) return never();
    return response;
  };
}

export function simulatedStore(inner: Store, view: ProcessView): Store {
  const guard =
    <Args extends unknown[], T>(call: (...args: Args) => Promise<T>) =>
    (...args: Args): Promise<T> =>
      view.alive() ? call(...args) : never<T>();
  return {
    getRecord: guard((address) => inner.getRecord(address)),
    listRecords: guard((space, collection) => inner.listRecords(space, collection)),
    getRecords: guard((space, collection, keys) => inner.getRecords(space, collection, keys)),
    defineIndexes: guard((indexes) => inner.defineIndexes(indexes)),
    scanIndex: guard((scan, order, limit) => inner.scanIndex(scan, order, limit)),
    countIndex: guard((scan) => inner.countIndex(scan)),
    listOutbox: guard(() => inner.listOutbox()),
    getMeta: guard((key) => inner.getMeta(key)),
    commit: guard((batch) => inner.commit(batch)),
    // The data outlives the process; closing a handle must not close it for the next one.
    close: guard(async () => {}),
  };
}
